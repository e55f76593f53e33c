/** JSON Schemas of the OpenAPI document (components.schemas). */
type Schema = Record<string, unknown>;

const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = { type: 'integer' };
const num = { type: 'number' };
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type, 'null'] });
const object = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  required,
  ...extra,
});
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const arrayOf = (schema: Schema): Schema => ({ type: 'array', items: schema });

const STATUS_FLAGS = [
  'Online', 'CoverOpen', 'CompulsionSwitch', 'OverTemperature', 'Recoverable', 'CutterError', 'MechanicalError',
  'ReceiveBufferOverflow', 'BlackMarkError', 'PresenterPaperJam', 'VoltageError', 'PaperEmpty', 'PaperLow',
];

const groupSettings: Record<string, Schema> = {
  Name: nullable({ ...str, minLength: 1, maxLength: 100 }),
  AutoCreateDeviceQueue: nullable(bool),
  ContactEMail: nullable({ ...str, maxLength: 200 }),
  ContactName: nullable({ ...str, maxLength: 200 }),
  AutoBuzzBeforePrint: nullable({ ...int, minimum: 0, maximum: 3 }),
  AutoBuzzAfterPrint: nullable({ ...int, minimum: 0, maximum: 3 }),
  Copies: nullable({ ...int, minimum: 1, maximum: 10 }),
  AutoClaimBCR: nullable(bool),
};

const groupList: Record<string, Schema> = {
  Name: str,
  MatchPath: { ...str, pattern: '^[a-z0-9_-]{1,64}$' },
  MatchDomain: { type: 'null' },
  AutoCreateDeviceQueue: bool,
  Enabled: bool,
  RequireDeviceKey: bool,
  Created: { ...str, format: 'date-time' },
  Owner: str,
  DeviceCount: int,
};

const job = object({
  id: str,
  printerId: str,
  name: str,
  contentType: str,
  bytes: int,
  copies: int,
  state: { ...str, enum: ['pending', 'processing', 'completed', 'aborted', 'canceled', 'held'] },
  stateReason: nullable(str),
  errorCode: nullable(str),
  errorMessage: nullable(str),
  source: { ...str, enum: ['star', 'api', 'cli', 'welcome', 'ipp', 'raw'] },
  printerCode: nullable(str),
  attempts: int,
  maxAttempts: int,
  reprints: int,
  createdAt: { ...str, format: 'date-time' },
  updatedAt: { ...str, format: 'date-time' },
  completedAt: nullable({ ...str, format: 'date-time' }),
  warnings: arrayOf(str),
});

const printer = object(
  {
    id: str,
    name: str,
    group: str,
    appId: str,
    uri: str,
    language: str,
    source: { ...str, enum: ['config', 'mdns', 'ipp', 'serial', 'usb', 'cloudprnt'] },
    identity: nullable(str),
    identityQuality: nullable({ ...str, enum: ['uuid', 'serial', 'port', 'name'] }),
    identityNote: nullable(str),
    makeAndModel: nullable(str),
    uuid: str,
    state: { ...str, enum: ['idle', 'processing', 'stopped'] },
    reasons: arrayOf(str),
    queuedJobs: int,
    capabilities: { type: 'object' },
  },
  ['id', 'name', 'group', 'appId', 'uri', 'language', 'source', 'state', 'reasons'],
);

const key = object(
  {
    id: str,
    name: str,
    description: str,
    hint: str,
    permissions: arrayOf(str),
    groups: arrayOf(str),
    state: { ...str, enum: ['active', 'disabled', 'expired', 'revoked'] },
    source: { ...str, enum: ['local', 'cloud'] },
  },
  ['id', 'name', 'permissions', 'groups'],
);

export const SCHEMAS: Record<string, Schema> = {
  Error: object({
    error: object({ code: str, message: str, requestId: str, details: { type: 'object' } }, ['code', 'message', 'requestId']),
  }),
  StarStatus: object(Object.fromEntries(STATUS_FLAGS.map((flag) => [flag, bool]))),
  Group: object(groupList),
  GroupDetail: object({
    ...groupList,
    ContactEMail: str,
    ContactName: str,
    AutoBuzzBeforePrint: { ...int, minimum: 0, maximum: 3 },
    AutoBuzzAfterPrint: { ...int, minimum: 0, maximum: 3 },
    Copies: { ...int, minimum: 1, maximum: 10 },
    AutoClaimBCR: bool,
  }),
  GroupUpdate: object(groupSettings, [], { additionalProperties: false }),
  GroupCreate: object(
    { ...groupSettings, Name: { ...str, minLength: 1, maxLength: 100 }, MatchPath: groupList.MatchPath as Schema, Enabled: nullable(bool), RequireDeviceKey: nullable(bool) },
    ['Name', 'MatchPath'],
    { additionalProperties: false },
  ),
  Device: object({
    Mac: str,
    Id: str,
    Status: ref('StarStatus'),
    AccessIdentifier: str,
    HorizontalResolution: num,
    VerticalResolution: num,
    PrintableWidthMM: num,
    PaperWidthMM: num,
    ClientType: str,
    LastConnection: { ...num, description: 'seconds since the gateway last heard from the printer' },
    QueuedJobs: int,
    GroupInfo: object({ Name: str, MatchPath: str, Owner: str }),
  }),
  DeviceUpdate: object(
    { RequestIdChange: nullable({ ...str, minLength: 1, maxLength: 100 }), RenewPageInfo: nullable(bool), GenerateNewAccessID: nullable(bool) },
    [],
    { additionalProperties: false },
  ),
  PrintResult: object({ JobId: str, QueuedJobs: int }),
  NotificationTarget: object({
    Id: str,
    Name: str,
    Url: str,
    Enabled: bool,
    Events: arrayOf({ ...str, enum: ['connection', 'status', 'job', 'peripheral'] }),
  }),
  NotificationTargetInput: object(
    {
      Name: nullable({ ...str, maxLength: 100 }),
      Url: { ...str, description: 'http(s) URL; may hold {event} {sub} {path} {name} {appid} {mac} {status_<flag>}' },
      Enabled: nullable(bool),
      Events: nullable(arrayOf({ ...str, enum: ['connection', 'status', 'job', 'peripheral'] })),
    },
    [],
    { additionalProperties: false },
  ),
  WebhookEvent: object(
    {
      EventType: { ...str, enum: ['test', 'connection', 'status', 'job', 'peripheral'] },
      SubType: str,
      DeviceGroup: object({ Path: str, Name: str }),
      Device: nullable({ ...object({ Mac: str, Name: str, AppID: str }), type: 'object' }),
      EventData: { type: 'object' },
    },
    ['EventType', 'SubType', 'DeviceGroup'],
  ),
  Job: job,
  JobList: object({ data: arrayOf(ref('Job')), next: nullable(str) }),
  Printer: printer,
  PrinterList: object({ data: arrayOf(ref('Printer')) }),
  Key: key,
  KeyList: object({ data: arrayOf(ref('Key')) }),
  KeyCreated: { allOf: [ref('Key'), object({ key: { ...str, description: 'shown once' } })] },
  KeyCreate: object(
    { name: str, description: str, permissions: arrayOf(str), groups: arrayOf(str), expires: nullable({ ...str, format: 'date-time' }) },
    ['name', 'permissions'],
    { additionalProperties: false },
  ),
  KeyEdit: object(
    { name: str, description: str, permissions: arrayOf(str), groups: arrayOf(str), expires: nullable({ ...str, format: 'date-time' }), disabled: bool },
    [],
    { additionalProperties: false },
  ),
  Me: object({ id: str, name: str, permissions: arrayOf(str), groups: arrayOf(str), expires: nullable(str) }),
  Health: object(
    // Without a key holding ViewStatus: status and version only.
    { status: { ...str, enum: ['ok', 'degraded'] }, version: str, db: str, cloudSyncAgeSeconds: nullable(num), problems: { type: 'array', items: str }, printers: { type: 'array', items: { type: 'object' } } },
    ['status', 'version'],
  ),
};
