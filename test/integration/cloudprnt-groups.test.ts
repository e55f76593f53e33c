import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { SimulatedStarPrinter } from '../peers/simulated-star-printer.js';

/**
 * RequireDeviceKey from the config file (`groups:`) and from the command line (`groups set`),
 * against a real `serve` process: the CLI writes the database and the running gateway applies it
 * at the next CloudPRNT request.
 */

const MAC = '00:11:62:1d:9a:b7';
let serve: ServeProcess | undefined;

afterEach(async () => {
  await serve?.stop();
  serve = undefined;
});

const poll = (url: string): Promise<number> => new SimulatedStarPrinter(`${url}/cloudprnt/store1`, MAC, { basicAuth: null }).poll().then((answer) => answer.status);

describe('device groups from the config and the CLI', () => {
  it('applies groups[] at start, and groups set changes RequireDeviceKey of the running gateway', async () => {
    const { file } = writeConfig({
      server: { host: '127.0.0.1', port: 0 },
      discovery: { interfaces: [], serial: false, usb: false },
      groups: [{ path: 'store1', name: 'Store 1', requireDeviceKey: false, autoCreateDeviceQueue: false }, { path: 'kiosk' }],
      printers: [{ name: 'Counter', group: 'store1', uri: `cloudprnt:${MAC}`, language: 'starprnt' }],
    });
    serve = await startServe(file);
    expect(await poll(serve.url)).toBe(200);

    const listed = runCli(['groups', 'list', '--config', file, '--json']);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { path: 'kiosk', name: 'kiosk', enabled: true, requireDeviceKey: true, autoCreateDeviceQueue: false },
      { path: 'store1', name: 'Store 1', enabled: true, requireDeviceKey: false, autoCreateDeviceQueue: false },
    ]);

    const set = runCli(['groups', 'set', 'store1', '--require-device-key', 'on', '--config', file]);
    expect(set.status).toBe(0);
    expect(set.stdout).toContain('requireDeviceKey on');
    expect(set.stderr).toContain('groups[] in the config also sets "store1"');
    expect(await poll(serve.url)).toBe(401);

    expect(runCli(['groups', 'set', 'nosuch', '--require-device-key', 'on', '--config', file]).status).toBe(2);
    expect(runCli(['groups', 'set', 'store1', '--require-device-key', 'maybe', '--config', file]).stderr).toContain('takes on or off');
  });
});
