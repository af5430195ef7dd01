import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOST_CHECKS, PAIR_CHECKS } from '../../checks/index.js';
import { findingCatalog } from '../../src/pipeline/catalog.js';
import { renderFindingsDoc } from '../../src/render/findings.js';

describe('docs/findings.md', () => {
  it('is what the checks say today (npm run docs writes it)', () => {
    const written = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');
    expect(written).toBe(renderFindingsDoc(findingCatalog([...HOST_CHECKS, ...PAIR_CHECKS])));
  });

  it('lists each finding id once, every one with a check that reports it', () => {
    const catalog = findingCatalog([...HOST_CHECKS, ...PAIR_CHECKS]);
    expect(new Set(catalog.map((entry) => entry.id)).size).toBe(catalog.length);
    for (const entry of catalog) expect(entry.reporters.length, entry.id).toBeGreaterThan(0);
  });
});
