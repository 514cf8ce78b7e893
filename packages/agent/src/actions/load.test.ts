import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DEFAULT_ACTIONS_DIR, loadActions, parseAction, validateActionParams } from './load.js';

const defs = loadActions();
const byName = (name: string) => {
  const def = defs.find((d) => d.name === name);
  if (!def) throw new Error(`no ${name}`);
  return def;
};

/** The VigilError a call throws (fails the test when it does not throw one). */
function thrown(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return error as VigilError;
  }
  throw new Error('expected a VigilError');
}

describe('loadActions', () => {
  it('loads the whole shipped catalogue', () => {
    const names = defs.map((d) => d.name);
    for (const name of [
      'process.kill',
      'service.stop',
      'service.start',
      'service.restart',
      'service.disable',
      'service.enable',
      'file.quarantine',
      'file.restore',
      'file.delete',
      'package.install',
      'package.uninstall',
      'patch.apply',
      'software.deploy',
      'network.block_ip',
      'network.unblock_ip',
      'network.isolate',
      'network.release',
      'network.kill_connection',
      'cache.flush_dns',
      'cache.flush_arp',
      'user.lock',
      'user.unlock',
      'user.logout',
      'system.reboot',
      'system.shutdown',
      'system.cleanup',
      'firewall.enable',
      'script.run',
      'bitlocker.enable',
      'filevault.enable',
      'gatekeeper.enable',
      'dep.enable',
      'registry.delete_key',
    ])
      expect(names).toContain(name);
    expect(names).toEqual([...names].sort());
  });

  it('marks the Windows and macOS implementations as not verified', () => {
    const others = defs.flatMap((d) => d.platforms.filter((p) => p.platform !== 'linux'));
    expect(others.length).toBeGreaterThan(10);
    expect(others.filter((p) => p.verified)).toEqual([]);
    expect(others.every((p) => (p.note ?? '').length > 10)).toBe(true);
  });

  it('names every action a shipped check proposes as its remediation, with parameters that are declared', () => {
    const checksDir = join(DEFAULT_ACTIONS_DIR, '../checks');
    const proposed: Array<{ name: string; params?: Record<string, unknown> }> = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.yaml')) {
          const action = YAML.parse(readFileSync(path, 'utf8')).remediation?.action;
          if (action) proposed.push(action);
        }
      }
    };
    walk(checksDir);
    expect(proposed.length).toBeGreaterThan(20);
    for (const a of proposed) {
      const def = byName(a.name);
      for (const key of Object.keys(a.params ?? {}))
        expect(Object.keys(def.params.properties)).toContain(key);
    }
  });

  it('refuses broken declarations with the file and the problem named', () => {
    const good = readFileSync(join(DEFAULT_ACTIONS_DIR, 'process.kill.yaml'), 'utf8');
    const doc = () => YAML.parse(good) as Record<string, any>;
    const cases: Array<[string, Record<string, any>, RegExp]> = [
      ['process.kill.yaml', { ...doc(), risk: 'medium' }, /risk/],
      ['process.kill.yaml', { ...doc(), extra: 1 }, /unknown field/],
      ['other.yaml', doc(), /named after the action/],
      ['process.kill.yaml', { ...doc(), risk: 'high', approval: false }, /approval: true/],
      [
        'process.kill.yaml',
        { ...doc(), params: { ...doc().params, additionalProperties: true } },
        /additionalProperties/,
      ],
      [
        'process.kill.yaml',
        {
          ...doc(),
          params: { ...doc().params, properties: { ...doc().params.properties, pid: { type: 'integer' } } },
        },
        /'pid' needs a description/,
      ],
      [
        'process.kill.yaml',
        {
          ...doc(),
          params: {
            ...doc().params,
            properties: {
              ...doc().params.properties,
              signal: { enum: ['KILL'], default: 'TERM', description: 'x' },
            },
          },
        },
        /default of parameter 'signal'/,
      ],
      [
        'process.kill.yaml',
        { ...doc(), params: { ...doc().params, required: ['nope'] } },
        /'nope' is not declared/,
      ],
    ];
    for (const [file, data, why] of cases) {
      const e = thrown(() => parseAction(file, YAML.stringify(data)));
      expect(e.code).toBe('E_VALIDATION');
      expect(e.message).toContain(file);
      expect(e.message).toMatch(why);
    }
    expect(parseAction('process.kill.yaml', good).name).toBe('process.kill');
  });

  it('refuses a catalogue whose undo points nowhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-actions-'));
    const text = readFileSync(join(DEFAULT_ACTIONS_DIR, 'file.quarantine.yaml'), 'utf8');
    writeFileSync(join(dir, 'file.quarantine.yaml'), text);
    expect(() => loadActions(dir)).toThrow(/undo action file.restore is not declared/);
  });
});

describe('validateActionParams', () => {
  const kill = byName('process.kill');

  it('accepts valid parameters and fills in the declared defaults without changing the input', () => {
    const input = { pid: 1234 };
    expect(validateActionParams(kill, input)).toEqual({ pid: 1234, signal: 'KILL', max_processes: 20 });
    expect(input).toEqual({ pid: 1234 });
    expect(validateActionParams(kill, { name: 'xmrig', signal: 'TERM' })).toMatchObject({
      name: 'xmrig',
      signal: 'TERM',
    });
  });

  it('names the bad field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ pid: 'x' }, /'pid'/],
      [{ pid: 12, signal: 'BOOM' }, /'signal'/],
      [{ pid: 12, colour: 'red' }, /unknown field\(s\): colour/],
      [{ exe: 'relative/path' }, /'exe'/],
      [{ sha256: 'abc' }, /'sha256'/],
      [{}, /give 'pid', or 'name', or 'exe', or 'sha256'/],
      [{ pid: 3, name: 'x' }, /only one of .* \(got 'pid', 'name'\)/],
      [[1], /must be an object/],
      [null, /must be an object/],
    ];
    for (const [params, why] of cases) {
      const e = thrown(() => validateActionParams(kill, params));
      expect(e.code).toBe('E_VALIDATION');
      expect(e.message).toMatch(/^process\.kill: /);
      expect(e.message).toMatch(why);
    }
  });

  it('explains a partly given group of fields', () => {
    const e = thrown(() =>
      validateActionParams(byName('network.kill_connection'), { local_address: '10.0.0.1', local_port: 22 }),
    );
    expect(e.message).toMatch(/only 'local_address', 'local_port' given/);
  });

  it('refuses a service name that would read as an option and a path that is not absolute', () => {
    expect(() => validateActionParams(byName('service.stop'), { name: '--all' })).toThrow(/'name'/);
    expect(() => validateActionParams(byName('file.delete'), { path: 'etc/passwd' })).toThrow(/'path'/);
    expect(() => validateActionParams(byName('system.reboot'), { message: '-k' })).toThrow(/'message'/);
    expect(validateActionParams(byName('service.stop'), { name: 'getty@tty1.service' }).name).toBe(
      'getty@tty1.service',
    );
  });
});
