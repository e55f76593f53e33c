import { describe, expect, it } from 'vitest';
import { chooseLanguage, statedLanguages } from '../../../src/discovery/choose-language.js';

const ipp = (formats: string[], profileLanguage?: string) =>
  chooseLanguage({ formats, formatsFrom: 'IPP document-format-supported', commandSets: [], profileLanguage });

describe('language chosen from what the device takes', () => {
  it('an office printer prints PDF; a raster-only printer says pwg-raster', () => {
    expect(ipp(['application/pdf', 'image/pwg-raster', 'image/jpeg'])).toMatchObject({ language: 'pdf', documentFormat: 'application/pdf' });
    expect(ipp(['image/pwg-raster', 'image/urf'])).toMatchObject({ language: 'pwg-raster', documentFormat: 'image/pwg-raster' });
  });

  it('a vendor command language beats PDF, with the media type the printer lists', () => {
    expect(ipp(['application/pdf', 'application/vnd.zebra-zpl'])).toMatchObject({ language: 'zpl', documentFormat: 'application/vnd.zebra-zpl' });
    expect(ipp(['application/pdf', 'application/vnd.escpos'])).toMatchObject({ language: 'escpos' });
  });

  it("the matched profile's language wins when the printer lists it or takes raw bytes", () => {
    expect(ipp(['application/pdf', 'application/vnd.star.line', 'application/vnd.star.starprnt'], 'starline').language).toBe('starline');
    expect(ipp(['application/pdf', 'application/octet-stream'], 'escpos')).toMatchObject({ language: 'escpos', documentFormat: 'application/octet-stream' });
  });

  it('IEEE 1284 CMD, then the profile; nothing said means unknown, never a default', () => {
    expect(chooseLanguage({ formats: [], formatsFrom: '', commandSets: ['ESC/POS'] })).toMatchObject({ language: 'escpos', documentFormat: 'application/vnd.escpos' });
    expect(chooseLanguage({ formats: [], formatsFrom: '', commandSets: ['STAR'], profileLanguage: 'starprnt' }).language).toBe('starprnt');
    expect(chooseLanguage({ formats: [], formatsFrom: '', commandSets: ['STAR'] })).toEqual({ language: 'unknown', documentFormat: null, by: [] });
  });

  it('stated languages: none when the printer takes anything raw', () => {
    expect(statedLanguages({ formats: ['application/pdf', 'application/vnd.zebra-zpl'], commandSets: [] })).toEqual(['zpl', 'pdf']);
    expect(statedLanguages({ formats: ['application/octet-stream', 'application/pdf'], commandSets: [] })).toEqual([]);
  });
});
