import type { CloudPrntDeviceInfo } from './cloudprnt-store.js';

/** What the gateway asks a printer on first contact (and after RenewPageInfo-like resets). */
export const FIRST_CONTACT_ACTIONS = ['ClientType', 'ClientVersion', 'PageInfo', 'GetPollInterval', 'Encodings'] as const;

export interface ClientActionRequest {
  request: string;
  options: string;
}

/** True while the printer has not told us its page size and poll interval. */
export function needsFirstContact(info: CloudPrntDeviceInfo | null): boolean {
  return !info || info.printWidthMM === null || info.clientType === null || info.pollSeconds === null;
}

export function firstContactRequests(): ClientActionRequest[] {
  return FIRST_CONTACT_ACTIONS.map((request) => ({ request, options: '' }));
}

function positiveNumber(value: unknown, max: number): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : Number.NaN;
  return Number.isFinite(number) && number > 0 && number <= max ? number : null;
}

function shortText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 100) : null;
}

/** PageInfo's result: an object of (usually string) fields, sometimes sent as a JSON string. */
function pageInfo(result: unknown): Record<string, unknown> {
  if (typeof result === 'string') {
    try {
      const parsed: unknown = JSON.parse(result);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
}

/**
 * Folds the printer's answers (`clientAction: [{request, result}]`) into what we know of it.
 * Unknown requests and malformed results are ignored: a printer's quirks never break a poll.
 */
export function applyClientActions(info: CloudPrntDeviceInfo, answers: unknown): CloudPrntDeviceInfo {
  if (!Array.isArray(answers)) return info;
  const next = { ...info };
  for (const answer of answers.slice(0, 32)) {
    if (typeof answer !== 'object' || answer === null) continue;
    const { request, result } = answer as { request?: unknown; result?: unknown };
    switch (request) {
      case 'ClientType':
        next.clientType = shortText(result) ?? next.clientType;
        break;
      case 'ClientVersion':
        next.clientVersion = shortText(result) ?? next.clientVersion;
        break;
      case 'GetPollInterval':
        next.pollSeconds = positiveNumber(result, 3600) ?? next.pollSeconds;
        break;
      case 'Encodings':
        if (typeof result === 'string') {
          next.encodings = result
            .split(';')
            .map((type) => type.trim().toLowerCase())
            .filter((type) => /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type))
            .slice(0, 32);
        }
        break;
      case 'PageInfo': {
        const page = pageInfo(result);
        next.paperWidthMM = positiveNumber(page.paperWidth, 300) ?? next.paperWidthMM;
        next.printWidthMM = positiveNumber(page.printWidth, 300) ?? next.printWidthMM;
        next.dotsPerMM = positiveNumber(page.horizontalResolution, 48) ?? next.dotsPerMM;
        break;
      }
      default:
        break;
    }
  }
  return next;
}
