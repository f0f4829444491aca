/**
 * Every <video> the elements render plays inline: without `playsinline`,
 * iPhone Safari opens a playing video full screen over the page (and before
 * iOS 10 refused to play it inline at all), hiding the buttons of the call.
 * That cannot run here (no WebKit with WebRTC on these machines), so the
 * templates are read instead.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ELEMENTS = fileURLToPath(new URL('../../../../../web/src/elements/', import.meta.url));

describe('video elements', () => {
  it('every <video> in a template has playsinline and autoplay', () => {
    let seen = 0;
    for (const file of readdirSync(ELEMENTS).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(ELEMENTS, file), 'utf8');
      for (const tag of source.match(/<video\b[^>]*>/g) ?? []) {
        seen += 1;
        assert.match(tag, /\splaysinline[\s>]/, `${file}: ${tag}`);
        assert.match(tag, /\sautoplay[\s>]/, `${file}: ${tag}`);
      }
    }
    // The random chat page (2), a call page (2) and the check (1): a scan that finds none is broken.
    assert.ok(seen >= 5, `found ${seen} video tags`);
  });
});
