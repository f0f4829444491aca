import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  backendProblem,
  connectionLost,
  linkProblem,
  mediaProblem,
  PROBLEM_CODES,
  type Problem,
  type ProblemCode,
} from '../../../../web/src/flows/problems.js';

/** No sentence below the elements: a Problem is its code and its parameters, nothing else. */
const WORDS = ['message', 'hint'];
function assertCodeOnly(problem: Problem): void {
  assert.ok(PROBLEM_CODES.includes(problem.code), `unknown code ${problem.code}`);
  for (const key of WORDS) assert.ok(!(key in problem), `${problem.code} carries no ${key}`);
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
      assert.deepEqual(problem, { code });
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

  it('maps an unknown DOMException name to media-unknown, naming it', () => {
    assert.deepEqual(mediaProblem(new DOMException('odd', 'WeirdNewError')), { code: 'media-unknown', error: 'WeirdNewError' });
  });

  it('maps a generic Error to media-unknown with its name', () => {
    assert.deepEqual(mediaProblem(new Error('boom')), { code: 'media-unknown', error: 'Error' });
  });

  it('falls back to the message when the error has an empty name, or none', () => {
    assert.deepEqual(mediaProblem({ name: '', message: 'driver crashed' }), { code: 'media-unknown', error: 'driver crashed' });
    assert.deepEqual(mediaProblem({ message: 'no name here' }), { code: 'media-unknown', error: 'no name here' });
  });

  it('describes a thrown string by its text', () => {
    assert.deepEqual(mediaProblem('something odd'), { code: 'media-unknown', error: 'something odd' });
  });

  it('copes with null and undefined: nothing to name', () => {
    for (const err of [null, undefined]) assert.deepEqual(mediaProblem(err), { code: 'media-unknown', error: '' });
  });

  it('does not match names case-insensitively', () => {
    assert.equal(mediaProblem({ name: 'notallowederror' }).code, 'media-unknown');
  });
});

describe('backendProblem', () => {
  describe("the server's refusal in details", () => {
    it('rate-limited, with when to try again', () => {
      const err = {
        code: 'functions/resource-exhausted',
        message: 'English',
        details: { code: 'rate-limited', retryAfterMs: 12_000 },
      };
      assert.deepEqual(backendProblem(err), { code: 'rate-limited', retryAfterMs: 12_000 });
    });

    it('banned, with until when', () => {
      const until = Date.UTC(2030, 4, 3, 14, 5);
      const err = Object.assign(new Error('English'), {
        code: 'functions/permission-denied',
        details: { code: 'banned', until },
      });
      assert.deepEqual(backendProblem(err), { code: 'banned', until });
    });

    it('any other refusal: rejected, with the refusal code as the reason', () => {
      for (const reason of ['invalid-request', 'not-in-call', 'contended', 'not-signed-in', 'app-not-verified']) {
        const err = { code: 'functions/failed-precondition', details: { code: reason, field: 'room' } };
        assert.deepEqual(backendProblem(err), { code: 'rejected', reason });
      }
    });

    it('parameters of the wrong type are unknown, not guessed', () => {
      assert.deepEqual(
        backendProblem({ code: 'functions/resource-exhausted', details: { code: 'rate-limited', retryAfterMs: '12' } }),
        {
          code: 'rate-limited',
          retryAfterMs: null,
        },
      );
      assert.deepEqual(backendProblem({ code: 'functions/permission-denied', details: { code: 'banned', until: NaN } }), {
        code: 'banned',
        until: null,
      });
    });

    it('reads own properties only', () => {
      const details = Object.create({ code: 'banned', until: 1 }) as object;
      assert.deepEqual(backendProblem({ code: 'functions/invalid-argument', details }), { code: 'rejected', reason: null });
    });

    it('ignores details on an error that is not from the functions', () => {
      assert.deepEqual(backendProblem({ code: 'permission-denied', details: { code: 'banned', until: 1 } }), {
        code: 'rejected',
        reason: null,
      });
    });
  });

  describe('without details, by the Firebase code', () => {
    it('functions/resource-exhausted: rate-limited, when unknown', () => {
      assert.deepEqual(backendProblem({ code: 'functions/resource-exhausted', message: 'Too many joins; wait a minute.' }), {
        code: 'rate-limited',
        retryAfterMs: null,
      });
    });

    it('functions/permission-denied: banned, until unknown', () => {
      assert.deepEqual(backendProblem({ code: 'functions/permission-denied' }), { code: 'banned', until: null });
    });

    for (const code of ['invalid-argument', 'failed-precondition', 'not-found', 'unauthenticated']) {
      it(`functions/${code}: rejected, no reason`, () => {
        assert.deepEqual(backendProblem({ code: `functions/${code}`, message: `server says ${code}` }), {
          code: 'rejected',
          reason: null,
        });
      });
    }

    it('a Firestore listener permission-denied (no prefix): rejected, not banned', () => {
      const err = Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' });
      assert.deepEqual(backendProblem(err), { code: 'rejected', reason: null });
    });

    for (const code of [
      'resource-exhausted',
      'invalid-argument',
      'failed-precondition',
      'not-found',
      'unauthenticated',
      'unavailable',
    ]) {
      it(`an unprefixed ${code}: backend-unreachable`, () => {
        assert.deepEqual(backendProblem({ code, message: `detail ${code}` }), { code: 'backend-unreachable' });
      });
    }

    it('does not treat a firestore/-prefixed code as a Firestore refusal', () => {
      assert.equal(backendProblem({ code: 'firestore/permission-denied', message: 'm' }).code, 'backend-unreachable');
    });

    for (const code of ['functions/unavailable', 'functions/internal', 'functions/deadline-exceeded', 'functions/unknown']) {
      it(`${code}: backend-unreachable`, () => {
        assert.deepEqual(backendProblem({ code, message: 'INTERNAL stack trace' }), { code: 'backend-unreachable' });
      });
    }

    it('a plain Error, or no error at all: backend-unreachable', () => {
      for (const err of [new Error('Failed to fetch'), null, undefined, 'oops', 42, {}]) {
        assert.deepEqual(backendProblem(err), { code: 'backend-unreachable' }, String(err));
      }
    });

    it('only honours the "functions/" prefix at the start, case-sensitively', () => {
      for (const code of [
        'auth/functions/invalid-argument',
        'x-functions/resource-exhausted',
        'functions/PERMISSION-DENIED',
        'Functions/permission-denied',
      ]) {
        assert.equal(backendProblem({ code, message: 'm' }).code, 'backend-unreachable', code);
      }
    });
  });
});

describe('connectionLost and linkProblem', () => {
  it('connectionLost names the likely side: theirs while this device is online, ours when it is not', () => {
    assert.deepEqual(connectionLost(true), { code: 'connection-lost', side: 'theirs' });
    assert.deepEqual(connectionLost(false), { code: 'connection-lost', side: 'ours' });
  });

  it("linkProblem takes the engine's code as it is", () => {
    assert.deepEqual(linkProblem('relay-unreachable'), { code: 'relay-unreachable' });
    assert.deepEqual(linkProblem('connection-failed'), { code: 'connection-failed' });
    assert.equal(linkProblem('connection-lost').code, 'connection-lost');
  });
});

describe('PROBLEM_CODES', () => {
  it('lists every code once', () => {
    assert.deepEqual([...PROBLEM_CODES].sort(), [
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

  it('every problem the mappers produce is a code with parameters, no words', () => {
    const problems: Problem[] = [
      ...['NotAllowedError', 'NotFoundError', 'NotReadableError', 'SecurityError', 'Mystery'].map((name) =>
        mediaProblem(new DOMException('m', name)),
      ),
      backendProblem({ code: 'functions/resource-exhausted', message: 'x' }),
      backendProblem({ code: 'functions/permission-denied', message: 'x' }),
      backendProblem({ code: 'functions/invalid-argument', message: 'x' }),
      backendProblem(new Error('net')),
      linkProblem('connection-failed'),
      linkProblem('relay-unreachable'),
      connectionLost(true),
    ];
    for (const problem of problems) assertCodeOnly(problem);
    assert.deepEqual([...new Set(problems.map((p) => p.code))].sort(), [...PROBLEM_CODES].sort());
  });
});
