#!/usr/bin/env node
// `npm run dev:cloud`: runs the reference cloud (key sync protocol v1) so you can try cloud sync
// without a cloud. Prints the `cloud:` section to paste into printgate.yaml, then reads commands
// from the terminal: mint and revoke keys, switch fault modes. State (signing key, token, keys,
// seq) is kept in var/dev-cloud/ so the gateway's config stays valid across runs.
//
// The reference cloud is a test peer (test/peers/reference-cloud/), plain JavaScript: no build needed,
// and it never ships in dist/.
//
//   npm run dev:cloud -- [--port 8640] [--host 127.0.0.1] [--gateway gw-0001] [--dir var/dev-cloud]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ReferenceCloud } from '../test/peers/reference-cloud/reference-cloud.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8640' },
    host: { type: 'string', default: '127.0.0.1' },
    gateway: { type: 'string', default: 'gw-0001' },
    dir: { type: 'string', default: path.join('var', 'dev-cloud') },
  },
});
const dir = path.resolve(values.dir);
mkdirSync(dir, { recursive: true, mode: 0o700 });
const stateFile = path.join(dir, 'state.json');
const tokenFile = path.join(dir, 'cloud-token');
const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : undefined;

const cloud = await ReferenceCloud.start({ host: values.host, port: Number(values.port), gatewayId: values.gateway, state });
const save = () => writeFileSync(stateFile, JSON.stringify(cloud.exportState()), { mode: 0o600 });
save();
writeFileSync(tokenFile, `${cloud.token}\n`, { mode: 0o600 });

console.log(`printgate reference cloud (protocol v1) listening on ${cloud.url}  (state: ${stateFile})

Paste into printgate.yaml:

cloud:
  url: ${cloud.url}
  gatewayId: ${cloud.gatewayId}
  tokenFile: ${tokenFile}
  publicKeys: ["${cloud.publicKey}"]
  pollSeconds: 30
  stream: true

Commands:
  key [Permission ...]      mint a cloud key (default PrintToDevice ViewDevice); prints the key once
  revoke <keyId|key|sha256> revoke a cloud key, or any key (a local one too) by its key or sha256
  remove <keyId>            delete a cloud key without revoking it (gateways re-snapshot)
  fault <mode>              none | down | slow | bad-signature | replay | gap | wrong-gateway | rollback | unauthorized | no-stream
  clock <seconds>           run the cloud's clock ahead (positive) or behind (negative) for issuedAt; 0 = true time
  status                    seq, open streams, recent requests
  quit
`);

const commands = {
  key: (args) => {
    const minted = cloud.upsert({ permissions: args.length > 0 ? args : undefined, name: 'dev-cloud key' });
    save();
    console.log(`seq ${minted.seq}: keyId ${minted.keyId}\n  key (shown once): ${minted.key}`);
  },
  revoke: ([target]) => {
    if (!target) return console.log('usage: revoke <keyId|key|sha256>');
    const input = /^[0-9a-f]{64}$/i.test(target)
      ? { sha256: target.toLowerCase() }
      : /^(pgk_live_|[0-9a-f]{8}-)/i.test(target)
        ? { key: target }
        : { keyId: target };
    console.log(`seq ${cloud.revoke(input)}: revoked`);
    save();
  },
  remove: ([keyId]) => {
    if (!keyId) return console.log('usage: remove <keyId>');
    console.log(`seq ${cloud.remove(keyId)}: removed ${keyId}`);
    save();
  },
  fault: ([mode]) => {
    cloud.setFault(mode ?? 'none');
    console.log(`fault: ${cloud.fault}`);
  },
  clock: ([seconds]) => {
    const offset = Number(seconds ?? 0);
    if (!Number.isFinite(offset)) return console.log('usage: clock <seconds>');
    cloud.clockOffsetMs = offset * 1000;
    console.log(`clock offset: ${offset} s`);
  },
  status: () => {
    console.log(`seq ${cloud.currentSeq}, streams open ${cloud.streamCount}, fault ${cloud.fault}`);
    for (const request of cloud.requests.slice(-5)) console.log(`  ${request.status} ${request.path}${request.since === null ? '' : `?since=${request.since}`}`);
  },
};

const shutdown = async () => {
  save();
  await cloud.stop();
  process.exit(0);
};
const lines = createInterface({ input: process.stdin, output: process.stdout, prompt: 'cloud> ' });
lines.prompt();
lines.on('line', (line) => {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'quit' || command === 'exit') return void shutdown();
  if (command && commands[command]) commands[command](args);
  else if (command) console.log(`unknown command: ${command}`);
  lines.prompt();
});
lines.on('close', () => {
  if (process.stdin.isTTY) void shutdown(); // piped commands: keep serving after the last one
});
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
