import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  backendProblem,
  CONNECTION_FAILED,
  connectionLost,
  mediaProblem,
  linkProblem,
  type Problem,
  ProblemCode,
  RELAY_UNREACHABLE,
} from '../../../../web/src/flows/problems.js';

function assertWellFormed(problem: Problem): void {
  assert.ok(Object.values(ProblemCode).includes(problem.code), `unknown code ${problem.code}`);
  assert.ok(problem.message.trim().length > 0, 'message is empty');
  assert.ok(problem.hint.trim().length > 0, 'hint is empty');
}

describe('mediaProblem', () => {
  const cases: ReadonlyArray<readonly [name: string, code: ProblemCode]> = [
    ['NotAllowedError', 'camera-denied'],
    ['PermissionDeniedError', 'camera-denied'],
    ['NotFoundError', 'no-camera'],
    ['DevicesNotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['NotReadableError', 'camera-busy'],
    ['TrackStartError', 'camera-busy'],
    ['AbortError', 'camera-busy'],
    ['SecurityError', 'insecure-context'],
    ['TypeError', 'insecure-context'],
  ];

  for (const [name, code] of cases) {
    it(`maps a DOMException named ${name} to ${code}`, () => {
      const problem = mediaProblem(new DOMException('getUserMedia failed', name));
      assert.equal(problem.code, code);
      assertWellFormed(problem);
    });

    it(`maps a plain object named ${name} to ${code}`, () => {
      assert.equal(mediaProblem({ name }).code, code);
    });
  }

  it('maps a real TypeError (no mediaDevices on http) to insecure-context', () => {
    assert.equal(
      mediaProblem(new TypeError("Cannot read properties of undefined (reading 'getUserMedia')")).code,
      'insecure-context',
    );
  });

  it('tells a denied person to allow the camera and press Start again', () => {
    const problem = mediaProblem(new DOMException('Permission denied', 'NotAllowedError'));
    assert.match(problem.message, /denied/);
    assert.match(problem.hint, /Allow/);
    assert.match(problem.hint, /Start again/);
  });

  it('tells a person on an insecure page to use https', () => {
    assert.match(mediaProblem({ name: 'SecurityError' }).hint, /https/);
  });

  it('maps an unknown DOMException name to media-unknown, naming it', () => {
    const problem = mediaProblem(new DOMException('odd', 'WeirdNewError'));
    assert.equal(problem.code, 'media-unknown');
    assert.match(problem.message, /WeirdNewError/);
    assertWellFormed(problem);
  });

  it('maps a generic Error to media-unknown with its name', () => {
    const problem = mediaProblem(new Error('boom'));
    assert.equal(problem.code, 'media-unknown');
    assert.equal(problem.message, 'The camera could not be started (Error).');
  });

  it('falls back to the message when the error has an empty name', () => {
    const problem = mediaProblem({ name: '', message: 'driver crashed' });
    assert.equal(problem.code, 'media-unknown');
    assert.match(problem.message, /\(driver crashed\)/);
  });

  it('falls back to the message when the error has no name', () => {
    const problem = mediaProblem({ message: 'no name here' });
    assert.equal(problem.code, 'media-unknown');
    assert.match(problem.message, /\(no name here\)/);
  });

  it('describes a thrown string by its text', () => {
    const problem = mediaProblem('something odd');
    assert.equal(problem.code, 'media-unknown');
    assert.match(problem.message, /\(something odd\)/);
    assertWellFormed(problem);
  });

  it('copes with null and undefined', () => {
    for (const err of [null, undefined]) {
      const problem = mediaProblem(err);
      assert.equal(problem.code, 'media-unknown');
      assert.equal(problem.message, 'The camera could not be started (unknown error).');
      assertWellFormed(problem);
    }
  });

  it('does not match names case-insensitively', () => {
    assert.equal(mediaProblem({ name: 'notallowederror' }).code, 'media-unknown');
  });
});

describe('backendProblem', () => {
  describe('functions/resource-exhausted: rate-limited', () => {
    it('maps to rate-limited, keeping the server message', () => {
      const problem = backendProblem({ code: 'functions/resource-exhausted', message: 'Too many joins; wait a minute.' });
      assert.equal(problem.code, 'rate-limited');
      assert.equal(problem.message, 'Too many joins; wait a minute.');
      assertWellFormed(problem);
    });

    it('keeps the message of an Error carrying the code', () => {
      const err = Object.assign(new Error('Slow down.'), { code: 'functions/resource-exhausted' });
      const problem = backendProblem(err);
      assert.equal(problem.code, 'rate-limited');
      assert.equal(problem.message, 'Slow down.');
    });

    for (const err of [{ code: 'functions/resource-exhausted', message: '' }, { code: 'functions/resource-exhausted' }]) {
      it(`falls back to a plain sentence (message ${JSON.stringify(err.message)})`, () => {
        const problem = backendProblem(err);
        assert.equal(problem.code, 'rate-limited');
        assert.equal(problem.message, 'Too many requests in a short time.');
        assertWellFormed(problem);
      });
    }

    it('tells the person to wait', () => {
      assert.match(backendProblem({ code: 'functions/resource-exhausted' }).hint, /Wait/);
    });
  });

  describe('functions/permission-denied: banned', () => {
    it('maps to banned, keeping the server message (it says until when)', () => {
      const message = "You can't meet people on Parley until 3 May, 14:00.";
      const problem = backendProblem({ code: 'functions/permission-denied', message });
      assert.equal(problem.code, 'banned');
      assert.equal(problem.message, message);
      assertWellFormed(problem);
    });

    it('keeps the message of an Error carrying the code', () => {
      const err = Object.assign(new Error('Suspended until tomorrow.'), { code: 'functions/permission-denied' });
      const problem = backendProblem(err);
      assert.equal(problem.code, 'banned');
      assert.equal(problem.message, 'Suspended until tomorrow.');
    });

    for (const err of [{ code: 'functions/permission-denied', message: '' }, { code: 'functions/permission-denied' }]) {
      it(`falls back to a plain sentence (message ${JSON.stringify(err.message)})`, () => {
        const problem = backendProblem(err);
        assert.equal(problem.code, 'banned');
        assert.equal(problem.message, "You can't meet people on Parley for now.");
        assertWellFormed(problem);
      });
    }

    it('explains that the suspension ends on its own', () => {
      assert.match(backendProblem({ code: 'functions/permission-denied' }).hint, /ends on its own/);
    });
  });

  describe('other functions refusals: rejected', () => {
    for (const code of ['invalid-argument', 'failed-precondition', 'not-found', 'unauthenticated']) {
      it(`maps functions/${code} to rejected, keeping the server message`, () => {
        const problem = backendProblem({ code: `functions/${code}`, message: `server says ${code}` });
        assert.equal(problem.code, 'rejected');
        assert.equal(problem.message, `server says ${code}`);
        assertWellFormed(problem);
      });

      it(`falls back to a plain sentence for functions/${code} without a message`, () => {
        for (const err of [{ code: `functions/${code}`, message: '' }, { code: `functions/${code}` }]) {
          const problem = backendProblem(err);
          assert.equal(problem.code, 'rejected');
          assert.equal(problem.message, 'Parley refused the request.');
          assertWellFormed(problem);
        }
      });
    }

    it('keeps the message of an Error carrying a rejected code', () => {
      const err = Object.assign(new Error('That room does not exist.'), { code: 'functions/not-found' });
      const problem = backendProblem(err);
      assert.equal(problem.code, 'rejected');
      assert.equal(problem.message, 'That room does not exist.');
    });

    it('ignores a message that is not a string', () => {
      const problem = backendProblem({ code: 'functions/invalid-argument', message: 42 });
      assert.equal(problem.code, 'rejected');
      assert.equal(problem.message, 'Parley refused the request.');
    });
  });

  describe('unprefixed codes (not from the functions)', () => {
    it('maps a Firestore permission-denied to rejected, not banned', () => {
      const problem = backendProblem({ code: 'permission-denied', message: 'Missing or insufficient permissions.' });
      assert.equal(problem.code, 'rejected');
      assert.equal(problem.message, 'Missing or insufficient permissions.');
      assertWellFormed(problem);
    });

    it('falls back to a plain sentence for a Firestore permission-denied without a message', () => {
      const problem = backendProblem({ code: 'permission-denied' });
      assert.equal(problem.code, 'rejected');
      assert.equal(problem.message, 'Parley refused the request.');
    });

    it('maps a FirestoreError-like Error with permission-denied to rejected', () => {
      const err = Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' });
      assert.equal(backendProblem(err).code, 'rejected');
    });

    for (const code of [
      'resource-exhausted',
      'invalid-argument',
      'failed-precondition',
      'not-found',
      'unauthenticated',
      'unavailable',
      'internal',
    ]) {
      it(`maps an unprefixed ${code} to backend-unreachable`, () => {
        const problem = backendProblem({ code, message: `detail ${code}` });
        assert.equal(problem.code, 'backend-unreachable');
        assert.doesNotMatch(problem.message, /detail/);
        assertWellFormed(problem);
      });
    }

    it('does not treat a firestore/-prefixed code as a Firestore refusal', () => {
      assert.equal(backendProblem({ code: 'firestore/permission-denied', message: 'm' }).code, 'backend-unreachable');
    });
  });

  it('maps functions/unavailable to backend-unreachable', () => {
    const problem = backendProblem({ code: 'functions/unavailable' });
    assert.equal(problem.code, 'backend-unreachable');
    assertWellFormed(problem);
  });

  for (const code of ['functions/internal', 'functions/deadline-exceeded', 'functions/unknown', 'functions/cancelled']) {
    it(`maps ${code} to backend-unreachable`, () => {
      assert.equal(backendProblem({ code, message: 'detail' }).code, 'backend-unreachable');
    });
  }

  it('does not show the server message for unreachable errors', () => {
    const problem = backendProblem({ code: 'functions/internal', message: 'INTERNAL stack trace' });
    assert.doesNotMatch(problem.message, /stack trace/);
    assert.match(problem.message, /could not be reached/);
  });

  it('maps a plain Error to backend-unreachable', () => {
    const problem = backendProblem(new Error('Failed to fetch'));
    assert.equal(problem.code, 'backend-unreachable');
    assert.match(problem.hint, /internet connection/);
    assertWellFormed(problem);
  });

  it('maps non-errors to backend-unreachable', () => {
    for (const err of [null, undefined, 'oops', 42, {}]) {
      assert.equal(backendProblem(err).code, 'backend-unreachable', String(err));
    }
  });

  it('only honours the "functions/" prefix at the start', () => {
    assert.equal(backendProblem({ code: 'auth/functions/invalid-argument', message: 'm' }).code, 'backend-unreachable');
    assert.equal(backendProblem({ code: 'auth/functions/permission-denied', message: 'm' }).code, 'backend-unreachable');
    assert.equal(backendProblem({ code: 'x-functions/resource-exhausted', message: 'm' }).code, 'backend-unreachable');
  });

  it('matches codes case-sensitively', () => {
    assert.equal(backendProblem({ code: 'functions/PERMISSION-DENIED', message: 'm' }).code, 'backend-unreachable');
    assert.equal(backendProblem({ code: 'Functions/permission-denied', message: 'm' }).code, 'backend-unreachable');
  });
});

describe('CONNECTION_FAILED and connectionLost(true)', () => {
  it('CONNECTION_FAILED has code connection-failed and suggests Next', () => {
    assert.equal(CONNECTION_FAILED.code, 'connection-failed');
    assert.match(CONNECTION_FAILED.hint, /Next/);
    assertWellFormed(CONNECTION_FAILED);
  });

  it('connectionLost has code connection-lost, suggests Next, and names the likely side', () => {
    for (const online of [true, false]) {
      assert.equal(connectionLost(online).code, 'connection-lost');
      assert.match(connectionLost(online).hint, /Next/);
      assertWellFormed(connectionLost(online));
    }
    assert.match(connectionLost(true).message, /their side/);
    assert.match(connectionLost(false).message, /Your device went offline/);
  });
});

describe('linkProblem', () => {
  it('blames the relay when the link says the relay was unreachable, and says so', () => {
    const problem = linkProblem('relay-unreachable');
    assert.equal(problem, RELAY_UNREACHABLE);
    assert.equal(problem.code, 'relay-unreachable');
    assert.match(problem.message, /Hide my IP is on/);
    assert.match(problem.message, /relay could not be reached/);
    assert.match(problem.hint, /Test your connection/);
    assert.doesNotMatch(problem.message, /firewall/i);
    assertWellFormed(problem);
  });

  it('keeps the generic failure when no path was found', () => {
    assert.equal(linkProblem('connection-failed'), CONNECTION_FAILED);
    assert.equal(linkProblem('connection-lost').code, 'connection-lost');
  });
});

describe('ProblemCode', () => {
  it('lists every code, including rate-limited and banned', () => {
    assert.deepEqual(Object.values(ProblemCode).sort(), [
      'backend-unreachable',
      'banned',
      'camera-busy',
      'camera-denied',
      'connection-failed',
      'connection-lost',
      'insecure-context',
      'media-unknown',
      'no-camera',
      'rate-limited',
      'rejected',
      'relay-unreachable',
    ]);
  });

  it('names rate-limited and banned', () => {
    assert.equal(ProblemCode.rateLimited, 'rate-limited');
    assert.equal(ProblemCode.banned, 'banned');
  });
});

describe('every Problem', () => {
  const problems = (): Problem[] => [
    ...['NotAllowedError', 'NotFoundError', 'NotReadableError', 'SecurityError', 'Mystery'].map((name) =>
      mediaProblem(new DOMException('m', name)),
    ),
    backendProblem({ code: 'functions/resource-exhausted', message: 'x' }),
    backendProblem({ code: 'functions/resource-exhausted' }),
    backendProblem({ code: 'functions/permission-denied', message: 'x' }),
    backendProblem({ code: 'functions/permission-denied' }),
    backendProblem({ code: 'functions/invalid-argument' }),
    backendProblem({ code: 'permission-denied' }),
    backendProblem({ code: 'functions/unavailable' }),
    backendProblem(new Error('net')),
    CONNECTION_FAILED,
    RELAY_UNREACHABLE,
    connectionLost(true),
  ];

  it('has a known code and a non-empty message and hint', () => {
    for (const problem of problems()) assertWellFormed(problem);
  });

  it('covers every ProblemCode', () => {
    assert.deepEqual([...new Set(problems().map((p) => p.code))].sort(), Object.values(ProblemCode).sort());
  });

  it('gives each code its own hint', () => {
    const hints = new Set([
      mediaProblem({ name: 'NotAllowedError' }).hint,
      mediaProblem({ name: 'NotFoundError' }).hint,
      mediaProblem({ name: 'NotReadableError' }).hint,
      mediaProblem({ name: 'SecurityError' }).hint,
      mediaProblem({ name: 'Mystery' }).hint,
      backendProblem({ code: 'functions/unavailable' }).hint,
      backendProblem({ code: 'functions/invalid-argument', message: 'm' }).hint,
      backendProblem({ code: 'functions/resource-exhausted', message: 'm' }).hint,
      backendProblem({ code: 'functions/permission-denied', message: 'm' }).hint,
      CONNECTION_FAILED.hint,
      RELAY_UNREACHABLE.hint,
      connectionLost(true).hint,
    ]);
    assert.equal(hints.size, 12);
  });
});
