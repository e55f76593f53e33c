import { describe, expect, it } from 'vitest';
import { WebhookTargetPolicy } from '../../../src/webhooks/target-policy.js';

const policy = (allow: string[] = []) => new WebhookTargetPolicy({ allowPrivateTargets: allow, ownAddresses: ['198.51.100.7', '192.168.1.20'], ownNames: ['printgate-box'] });
const refusal = (p: WebhookTargetPolicy, url: string): unknown => {
  try {
    p.checkUrl(url);
    return null;
  } catch (error) {
    return (error as { code: string; details: { rule: string } }).details.rule;
  }
};

describe('WebhookTargetPolicy', () => {
  it('refuses loopback, link-local, private LAN, unroutable and own addresses at create time, naming the rule', () => {
    const p = policy();
    expect(refusal(p, 'http://127.0.0.1:8631/api/v1/keys')).toBe('loopback');
    expect(refusal(p, 'http://localhost/x')).toBe('loopback');
    expect(refusal(p, 'http://[::1]/x')).toBe('loopback');
    expect(refusal(p, 'http://[::ffff:127.0.0.1]/x')).toBe('loopback');
    expect(refusal(p, 'http://169.254.169.254/latest/meta-data')).toBe('link-local');
    expect(refusal(p, 'http://[fe80::1]/x')).toBe('link-local');
    expect(refusal(p, 'http://10.1.2.3/x')).toBe('private-lan');
    expect(refusal(p, 'https://192.168.1.40/pos')).toBe('private-lan');
    expect(refusal(p, 'http://[fd12::1]/x')).toBe('private-lan');
    expect(refusal(p, 'http://0.0.0.0/x')).toBe('unroutable');
    expect(refusal(p, 'http://198.51.100.7/x')).toBe('own-address');
    expect(refusal(p, 'http://printgate-box:8631/x')).toBe('own-address');
    expect(refusal(p, 'https://hooks.example.com/{event}')).toBeNull();
    expect(refusal(p, 'https://203.0.113.9/x')).toBeNull();
  });

  it('allows what webhooks.allowPrivateTargets lists: networks, addresses, host names', () => {
    const p = policy(['192.168.1.0/24', '127.0.0.1', 'pos.local']);
    expect(refusal(p, 'https://192.168.1.40/pos')).toBeNull();
    expect(refusal(p, 'http://127.0.0.1:9000/x')).toBeNull();
    expect(refusal(p, 'http://pos.local/x')).toBeNull();
    expect(refusal(p, 'http://192.168.2.40/pos')).toBe('private-lan');
    expect(refusal(p, 'http://127.0.0.2/x')).toBe('loopback');
  });

  it('checks every address a name resolves to, and the error names the config key', async () => {
    const p = new WebhookTargetPolicy({
      allowPrivateTargets: [],
      lookup: (_host, _options, callback) => callback(null, [{ address: '203.0.113.9', family: 4 }, { address: '10.0.0.5', family: 4 }]),
    });
    const error = await new Promise<unknown>((resolve) => p.lookup('mixed.example', {}, (err) => resolve(err)));
    expect(error).toMatchObject({ code: 'WEBHOOK_TARGET_REFUSED', details: { rule: 'private-lan', configKey: 'webhooks.allowPrivateTargets' } });
  });
});
