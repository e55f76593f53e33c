#!/usr/bin/env node
// Writes a new /etc/printgate/printgate.yaml from config/printgate.example.yaml for the service:
// dataDir, the LAN interface for discovery, no printers yet (the example printer kept as a
// comment). Comments survive (the yaml package's document API). Run by systemd/install.sh with the
// build it installs, and checked against that build's schema: it never writes a file the build
// would refuse with exit 78.
//
//   node write-config.mjs --build /opt/printgate --example EXAMPLE --out FILE --data-dir DIR --interface IF
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: {
    build: { type: 'string' },
    example: { type: 'string' },
    out: { type: 'string' },
    'data-dir': { type: 'string' },
    interface: { type: 'string', default: '' },
  },
});
const { build, example, out } = values;
if (!build || !example || !out || !values['data-dir']) {
  console.error('write-config.mjs: --build, --example, --out and --data-dir are required');
  process.exit(2);
}
const load = (module) => import(pathToFileURL(path.join(build, module)).href);
const { Document, parseDocument } = await load('node_modules/yaml/dist/index.js');
const { parseConfig } = await load('dist/src/config/load-config.js');

const doc = parseDocument(readFileSync(example, 'utf8'));
const header = '# Written by systemd/install.sh for the printgate service: add your printers under printers:.\n';
doc.set('dataDir', values['data-dir']);
const dataDirPair = doc.contents.items.find((pair) => pair.key?.value === 'dataDir');
if (dataDirPair) dataDirPair.value.comment = ' the service\'s data (the printgate command uses it too); keys, jobs, printers; backups: printgate backup FILE';

// No printers yet: the example's Kitchen printer at 127.0.0.1:9100 is not on this LAN.
const printersPair = doc.contents.items.find((pair) => pair.key?.value === 'printers');
if (printersPair) {
  const lines = new Document(printersPair.value.toJSON()).toString().trimEnd().split('\n');
  printersPair.value = doc.createNode([]);
  printersPair.value.flow = true;
  printersPair.value.comment = ' none yet; for example:\n' + lines.map((line) => `   ${line}`).join('\n');
}

const iface = values.interface;
const interfaces = doc.createNode(iface ? [iface] : []);
interfaces.flow = true;
doc.setIn(['discovery', 'interfaces'], interfaces);

let text = header + doc.toString();
let accepted = tryParse(text);
if (!accepted.ok && /discovery\.interfaces: unknown key/.test(accepted.message)) {
  // A build from before discovery.interfaces: name the interface in a comment instead.
  doc.deleteIn(['discovery', 'interfaces']);
  const discovery = doc.get('discovery', true);
  if (discovery) discovery.commentBefore = ` interfaces: [${iface}]   # the LAN interface (this build has no discovery.interfaces yet)`;
  text = header + doc.toString();
  accepted = tryParse(text);
}
if (!accepted.ok) {
  console.error(`write-config.mjs: the configuration would not load:\n${accepted.message}`);
  process.exit(78);
}
writeFileSync(`${out}.new`, text, { mode: 0o640 });
renameSync(`${out}.new`, out);

function tryParse(yamlText) {
  try {
    parseConfig(parseDocument(yamlText).toJSON() ?? {});
    return { ok: true, message: '' };
  } catch (error) {
    return { ok: false, message: error.message };
  }
}
