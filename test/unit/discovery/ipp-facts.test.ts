import { describe, expect, it } from 'vitest';
import { ippFactsOf } from '../../../src/discovery/ipp-facts.js';

describe('IPP attributes normalised', () => {
  it('scalars and arrays alike; one resolution [600,600,"dpi"] or several; state numbers or keywords', () => {
    const one = ippFactsOf({
      'printer-uuid': 'urn:uuid:d8277f28-1415-3757-5e71-a9528c215c0c',
      'printer-make-and-model': 'Acme Office 500',
      'document-format-supported': 'application/pdf',
      'printer-resolution-supported': [600, 600, 'dpi'],
      'printer-state': 'idle',
      'printer-state-reasons': 'none',
      'media-supported': 'iso_a4_210x297mm',
    });
    expect(one).toMatchObject({ formats: ['application/pdf'], resolutions: ['600x600dpi'], resolutionsDpi: [600], state: 'idle', reasons: [], media: ['iso_a4_210x297mm'] });
    const many = ippFactsOf({
      'document-format-supported': ['application/PDF', 'image/pwg-raster'],
      'printer-resolution-supported': [[203, 203, 'dpi'], [300, 300, 'dpi'], [118, 118, 'dots-per-cm']],
      'printer-state': 5,
      'printer-state-reasons': ['media-empty-error', 'cover-open'],
      'printer-is-accepting-jobs': false,
    });
    expect(many).toMatchObject({ formats: ['application/pdf', 'image/pwg-raster'], resolutionsDpi: [203, 300, 300], state: 'stopped', reasons: ['media-empty-error', 'cover-open'], acceptingJobs: false });
  });

  it('garbage becomes empty, never an error; long lists and strings are bounded', () => {
    expect(ippFactsOf({ 'printer-state': { x: 1 }, 'printer-resolution-supported': 'high', 'printer-uuid': 42, 'media-supported': null })).toMatchObject({
      state: 'unknown',
      resolutions: [],
      uuid: '42',
      media: [],
    });
    const huge = ippFactsOf({ 'media-supported': Array.from({ length: 5000 }, (_, i) => `m${i}`), 'printer-info': 'x'.repeat(5000) });
    expect(huge.media).toHaveLength(128);
    expect(huge.info?.length).toBe(255);
  });
});
