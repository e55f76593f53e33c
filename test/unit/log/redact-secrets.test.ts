import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/create-logger.js';
import { CENSOR, redactSecrets } from '../../../src/log/redact-secrets.js';
import { LogCapture } from '../../helpers/log-capture.js';

const KEY = `pgk_live_${'ab'.repeat(32)}`;

describe('redactSecrets: the backstop behind logging key ids, never keys', () => {
  it('censors key, apiKey, token, secret and authorization at the top and inside any object there, and the key headers', () => {
    const fields = {
      jobId: 'j1',
      key: KEY,
      apiKey: KEY,
      token: KEY,
      secret: KEY,
      authorization: `Bearer ${KEY}`,
      headers: { authorization: `Bearer ${KEY}`, 'star-api-key': KEY, 'content-type': 'text/plain', token: KEY },
      request: { key: KEY, path: '/q', headers: { authorization: `Bearer ${KEY}`, 'star-api-key': KEY, accept: '*/*' } },
      cloud: { secret: KEY, url: 'https://cloud.example' },
    };
    const before = structuredClone(fields);
    const out = redactSecrets(fields);
    expect(out).toEqual({
      jobId: 'j1',
      key: CENSOR,
      apiKey: CENSOR,
      token: CENSOR,
      secret: CENSOR,
      authorization: CENSOR,
      headers: { authorization: CENSOR, 'star-api-key': CENSOR, 'content-type': 'text/plain', token: CENSOR },
      request: { key: CENSOR, path: '/q', headers: { authorization: CENSOR, 'star-api-key': CENSOR, accept: '*/*' } },
      cloud: { secret: CENSOR, url: 'https://cloud.example' },
    });
    // The caller's object is left as it was.
    expect(fields).toEqual(before);
    expect(JSON.stringify(out)).not.toContain(KEY);
  });

  it('returns a line without secrets as it is (no copy), and leaves undefined fields alone', () => {
    const fields = { jobId: 'j1', printerId: 'kitchen', bytes: 23, keyId: 'key_0123', nested: { keyId: 'k', tokenCount: 2 }, key: undefined, body: Buffer.from('hello') };
    expect(redactSecrets(fields)).toBe(fields);
  });

  it('keeps an error\'s message and stack when one of its fields is censored', () => {
    const error = Object.assign(new Error('cloud refused'), { token: KEY });
    const out = redactSecrets({ err: error }).err as Record<string, unknown>;
    expect(out).toMatchObject({ token: CENSOR, message: 'cloud refused', type: 'Error' });
    expect(String(out.stack)).toContain('cloud refused');
    expect(error.token).toBe(KEY);
  });

  it('is what the logger applies to every line and to a child\'s bindings', () => {
    const capture = new LogCapture();
    const log = createLogger({ level: 'info', destination: capture });
    log.info({ key: KEY, request: { headers: { 'star-api-key': KEY } } }, 'one');
    log.child({ token: KEY }).child({ printerId: 'kitchen', secret: KEY }).info({ err: Object.assign(new Error('boom'), { apiKey: KEY }) }, 'two');
    expect(capture.text()).not.toContain(KEY);
    expect(capture.find('one')[0]).toMatchObject({ key: CENSOR, request: { headers: { 'star-api-key': CENSOR } } });
    expect(capture.find('two')[0]).toMatchObject({ token: CENSOR, secret: CENSOR, printerId: 'kitchen', err: { apiKey: CENSOR, message: 'boom' } });
  });
});
