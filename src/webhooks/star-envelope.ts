/** The body of every Star webhook POST. */
export interface StarEnvelope {
  EventType: string;
  SubType: string;
  DeviceGroup: { Path: string; Name: string };
  Device: { Mac: string; Name: string; AppID: string } | null;
  EventData?: Record<string, unknown>;
}

/** Star's URL placeholders: {event} {sub} {path} {name} {appid} {mac}, plus {status_<flag>} for device events. */
export function expandUrl(template: string, envelope: StarEnvelope): string {
  const status = (envelope.EventData?.Status ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {
    event: envelope.EventType,
    sub: envelope.SubType,
    info: `${envelope.EventType}/${envelope.SubType}`,
    path: envelope.DeviceGroup.Path,
    name: envelope.Device?.Name ?? '',
    appid: envelope.Device?.AppID ?? '',
    mac: envelope.Device?.Mac ?? '',
  };
  for (const [flag, value] of Object.entries(status)) values[`status_${flag.toLowerCase()}`] = String(value);
  return template.replace(/\{([a-z_]+)\}/gi, (whole, name: string) => {
    const value = values[name.toLowerCase()];
    return value === undefined ? whole : encodeURIComponent(value);
  });
}

/** A target URL is acceptable when, with its placeholders filled, it is an absolute http(s) URL. */
export function isWebhookUrl(template: string): boolean {
  const sample = expandUrl(template, {
    EventType: 'test',
    SubType: 'sub_test',
    DeviceGroup: { Path: 'group', Name: 'Group' },
    Device: { Mac: '000000000000', Name: 'Test Name', AppID: '00000000' },
  });
  try {
    const url = new URL(sample);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
