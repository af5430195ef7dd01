import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** The layers, lowest first: a module imports only from its own layer or those before it. */
const LAYERS = [
  'src/core',
  'src/netfilter',
  'src/host',
  'src/facts',
  'src/check-support',
  'src/pair',
  'checks',
  'src/pipeline',
  'src/render',
  'src/cli',
];

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(REPO, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) =>
    relative(REPO, resolve(join(REPO, dirname(file)), specifier)).replace(/\.js$/, '.ts'),
  );
}

function layerOf(file: string): number {
  return LAYERS.findIndex((layer) => file === `${layer}.ts` || file.startsWith(`${layer}/`));
}

const FILES = [...sources('src'), ...sources('checks')];
const GRAPH = new Map(FILES.map((file) => [file, imports(file)]));
/** Tests, the lab and the benchmarks have no layers, but no circles either. */
const EVERY_GRAPH = new Map(
  [...FILES, ...sources('test'), ...sources('bench')].map((file) => [file, GRAPH.get(file) ?? imports(file)]),
);

/** Every import circle, as the files on it (Tarjan's strongly connected components of more than one file). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe('the import structure', () => {
  it('puts every source file in a layer', () => {
    expect(FILES.filter((file) => layerOf(file) < 0)).toEqual([]);
  });

  it('imports only from the same layer or a lower one', () => {
    const upward = [...GRAPH].flatMap(([file, targets]) =>
      targets.filter((target) => layerOf(target) > layerOf(file)).map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import circle', () => {
    expect(circles(GRAPH)).toEqual([]);
  });

  it('has no import circle in the tests, the lab and the benchmarks either', () => {
    expect(circles(EVERY_GRAPH)).toEqual([]);
  });

  it('names each built-in check by its path', async () => {
    const { HOST_CHECKS, PAIR_CHECKS } = await import('../checks/index.js');
    const registered = [...HOST_CHECKS, ...PAIR_CHECKS].map((check) => check.id).sort();
    const files = sources('checks')
      .filter((file) => file !== 'checks/index.ts')
      .map((file) => file.replace(/^checks\/(.+)\/(.+)\.ts$/, '$1.$2'))
      .sort();
    expect(registered).toEqual(files);
    for (const check of [...HOST_CHECKS, ...PAIR_CHECKS]) {
      const area = check.id.split('.')[0]!;
      for (const id of Object.keys(check.findings))
        expect(id.startsWith(`${area}.`), `${check.id} reports ${id}`).toBe(true);
    }
  });
});
