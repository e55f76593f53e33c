import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { OriginPolicy } from '../../../src/http/origin-policy.js';

const request = (method: string, headers: Record<string, string>): IncomingMessage => ({ method, headers }) as unknown as IncomingMessage;

describe('OriginPolicy', () => {
  const policy = new OriginPolicy(['https://pos.example.com', 'null']);

  it('leaves requests without Origin, and pages of the gateway itself, alone', () => {
    expect(policy.decide(request('GET', { host: 'till.local:8631' }))).toEqual({ kind: 'same-origin' });
    expect(policy.decide(request('POST', { host: 'till.local:8631', origin: 'http://till.local:8631' }))).toEqual({ kind: 'same-origin' });
    expect(policy.decide(request('POST', { host: 'till.local', origin: 'http://till.local:80' }))).toEqual({ kind: 'same-origin' });
    expect(policy.decide(request('POST', { host: 'till.local:8632', origin: 'https://till.local:8632' }))).toEqual({ kind: 'same-origin' });
  });

  it('refuses every other origin, including look-alikes and another port of the box', () => {
    for (const origin of ['http://evil.example', 'https://pos.example.com.evil.example', 'http://pos.example.com', 'http://till.local:9999']) {
      expect(policy.decide(request('GET', { host: 'till.local:8631', origin })).kind, origin).toBe('refused');
    }
  });

  it('answers a configured origin with CORS headers and its preflight with methods and the requested headers', () => {
    const simple = policy.decide(request('GET', { host: 'till.local:8631', origin: 'https://pos.example.com' }));
    expect(simple).toMatchObject({ kind: 'cors', headers: { 'Access-Control-Allow-Origin': 'https://pos.example.com', Vary: 'Origin' } });
    const preflight = policy.decide(
      request('OPTIONS', { host: 'till.local:8631', origin: 'https://pos.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'Authorization, Content-Type' }),
    );
    expect(preflight).toMatchObject({ kind: 'preflight', headers: { 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Max-Age': '600' } });
    const odd = policy.decide(request('OPTIONS', { host: 'x', origin: 'https://pos.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'a\r\nb' }));
    expect(odd.kind).toBe('preflight');
    expect(odd.kind === 'preflight' ? Object.keys(odd.headers) : []).not.toContain('Access-Control-Allow-Headers');
    expect(policy.decide(request('GET', { host: 'x', origin: 'null' })).kind).toBe('cors');
  });

  it('serves any origin with "*"', () => {
    expect(new OriginPolicy(['*']).decide(request('GET', { host: 'x', origin: 'https://anywhere.example' })).kind).toBe('cors');
  });
});
