import { describe, expect, it } from 'vitest';
import { pdfLanguage } from '../../../drivers/languages/pdf-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { makePdf } from '../render/document-fixtures.js';
import { render } from './render-cases.js';

const profile = findProfile('generic-80mm')!;

describe('pdf language', () => {
  it('passes a PDF through once and asks the transport for the copies', async () => {
    const pdf = makePdf(1, 595, 842, [0, 0, 100, 100]);
    const result = await render(pdfLanguage, profile, 'application/pdf', pdf, { copies: 3, drawer: 'start' });
    expect(Buffer.compare(Buffer.from(result.bytes), pdf)).toBe(0);
    expect(result.documentFormat).toBe('application/pdf');
    expect(result.copies).toBe(3);
    expect(result.warnings).toEqual(['cash drawer option ignored: the pdf language has no drawer']);
  });

  it('accepts PDF and what IPP Everywhere devices decode themselves, and refuses a PDF body that is not one', async () => {
    expect(pdfLanguage.acceptedTypes).toEqual(['application/pdf', 'image/pwg-raster', 'image/urf', 'image/jpeg']);
    await expect(render(pdfLanguage, profile, 'application/pdf', 'hello')).rejects.toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
  });
});
