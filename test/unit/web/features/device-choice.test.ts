import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  constraintsWith,
  parseChoices,
  pickDevice,
  serializeChoices,
  withChoice,
  type DeviceInfo,
} from '../../../../web/src/features/device-choice.js';

const DEVICES: DeviceInfo[] = [
  { kind: 'videoinput', deviceId: 'cam-a', label: 'Built-in Camera' },
  { kind: 'videoinput', deviceId: 'cam-b', label: 'Logitech C920' },
  { kind: 'audioinput', deviceId: 'default', label: 'Default - Headset Mic' },
  { kind: 'audioinput', deviceId: 'mic-a', label: 'Headset Mic' },
  { kind: 'audiooutput', deviceId: 'out-a', label: 'Speakers' },
];

describe('remembering the devices a person chose', () => {
  it('remembers each kind by id and label, and reads back what it wrote', () => {
    let choices = withChoice({}, 'videoinput', DEVICES[1]!);
    choices = withChoice(choices, 'audiooutput', DEVICES[4]!);
    assert.deepEqual(parseChoices(serializeChoices(choices)), {
      videoinput: { deviceId: 'cam-b', label: 'Logitech C920' },
      audiooutput: { deviceId: 'out-a', label: 'Speakers' },
    });
    assert.deepEqual(
      withChoice(choices, 'videoinput', null),
      { audiooutput: { deviceId: 'out-a', label: 'Speakers' } },
      'back to the default',
    );
  });

  it('reads nothing from text it did not write (absent, broken, tampered with)', () => {
    assert.deepEqual(parseChoices(null), {});
    assert.deepEqual(parseChoices('{oops'), {});
    assert.deepEqual(parseChoices('[1]'), {});
    assert.deepEqual(parseChoices('{"videoinput":{"deviceId":5,"label":"x"}}'), {});
    assert.deepEqual(parseChoices('{"videoinput":{"deviceId":"","label":"x"}}'), {});
    assert.deepEqual(parseChoices(`{"audioinput":{"deviceId":"${'x'.repeat(600)}","label":""}}`), {});
    assert.deepEqual(parseChoices('{"screen":{"deviceId":"a","label":"b"}}'), {}, 'no other kinds');
  });

  it('finds the remembered device by id, else by label when the browser reset the ids, else none', () => {
    const choice = { deviceId: 'cam-b', label: 'Logitech C920' };
    assert.equal(pickDevice(DEVICES, 'videoinput', choice), 'cam-b');
    assert.equal(pickDevice(DEVICES, 'videoinput', { deviceId: 'old-id', label: 'Logitech C920' }), 'cam-b');
    assert.equal(pickDevice(DEVICES, 'videoinput', { deviceId: 'old-id', label: 'Unplugged Cam' }), null);
    assert.equal(pickDevice(DEVICES, 'videoinput', undefined), null);
    assert.equal(pickDevice(DEVICES, 'audioinput', choice), null, 'a camera is no microphone');
    assert.equal(pickDevice(DEVICES, 'videoinput', { deviceId: 'x', label: '' }), null, 'an empty label matches nothing');
  });

  it('asks for the remembered camera and microphone as an ideal, keeping the rest of the constraints', () => {
    const base: MediaStreamConstraints = { audio: { echoCancellation: true }, video: { width: { ideal: 640 } } };
    assert.deepEqual(constraintsWith(base, {}), base);
    assert.deepEqual(
      constraintsWith(base, { videoinput: { deviceId: 'cam-b', label: '' }, audioinput: { deviceId: 'mic-a', label: '' } }),
      {
        audio: { echoCancellation: true, deviceId: { ideal: 'mic-a' } },
        video: { width: { ideal: 640 }, deviceId: { ideal: 'cam-b' } },
      },
    );
    assert.deepEqual(
      constraintsWith(
        { audio: true, video: false },
        { videoinput: { deviceId: 'c', label: '' }, audioinput: { deviceId: 'm', label: '' } },
      ),
      {
        audio: { deviceId: { ideal: 'm' } },
        video: false,
      },
      'what was not asked for stays unasked',
    );
  });
});
