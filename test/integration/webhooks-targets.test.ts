import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * Webhook targets cannot point the gateway at itself or the LAN unless the shop says so: the
 * gateway once POSTed to its own /api/v1/keys. 400 WEBHOOK_TARGET_REFUSED names the rule and the
 * config key; webhooks.allowPrivateTargets opens exactly what it lists.
 */

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw!.url}${path}`, {
    method,
    headers: { 'Star-Api-Key': key, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

describe('webhook targets', () => {
  it('refuses the gateway itself, loopback, link-local and LAN addresses when a target is added or changed', async () => {
    gw = await startTestGateway({ printers: [{ name: 'Till', group: 'shop', uri: 'file:/dev/null', language: 'raw' }] });
    const key = gw.createKey(['ManageNotifications']).key;
    const own = new URL(gw.url);
    const refused: [string, string][] = [
      [`http://127.0.0.1:${own.port}/api/v1/keys`, 'loopback'],
      ['http://localhost:8631/api/v1/keys', 'loopback'],
      ['http://[::1]:8631/x', 'loopback'],
      ['http://169.254.169.254/latest/meta-data/', 'link-local'],
      ['http://192.168.1.1/admin', 'private-lan'],
      ['http://10.0.0.8/{event}', 'private-lan'],
    ];
    for (const [url, rule] of refused) {
      const answer = await call('POST', '/v1/a/shop/n', key, { Url: url });
      expect(answer.status, url).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'WEBHOOK_TARGET_REFUSED', details: { rule, configKey: 'webhooks.allowPrivateTargets', field: 'Url' } });
      expect(answer.body.error.message).toContain('webhooks.allowPrivateTargets');
    }
    // A public receiver is fine; changing it to the gateway itself is not.
    const added = await call('POST', '/v1/a/shop/n', key, { Url: 'https://hooks.example.com/printgate', Enabled: false });
    expect(added.status).toBe(201);
    const changed = await call('PUT', `/v1/a/shop/n/${added.body.Id}`, key, { Url: `http://127.0.0.1:${own.port}/api/v1/keys` });
    expect(changed.status).toBe(400);
    expect((await call('GET', `/v1/a/shop/n/${added.body.Id}`, key)).body.Url).toBe('https://hooks.example.com/printgate');
  });

  it('allows exactly what webhooks.allowPrivateTargets lists (a POS receiver on the LAN)', async () => {
    gw = await startTestGateway({
      webhooks: { allowPrivateTargets: ['192.168.1.40', '10.20.0.0/16', 'pos.lan'] },
      printers: [{ name: 'Till', group: 'shop', uri: 'file:/dev/null', language: 'raw' }],
    });
    const key = gw.createKey(['ManageNotifications']).key;
    for (const url of ['http://192.168.1.40:8080/hook', 'http://10.20.3.4/hook', 'http://pos.lan/hook']) {
      expect((await call('POST', '/v1/a/shop/n', key, { Url: url, Enabled: false })).status, url).toBe(201);
    }
    expect((await call('POST', '/v1/a/shop/n', key, { Url: 'http://192.168.1.41/hook' })).status).toBe(400);
  });
});
