import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRedisUrl, parseRedisUrl, redisUrlForDisplay } from '../../src/shared/redis-url';
import { redisOptions } from '../../src/engine/pool/redis-queue';
import { parseRunConfig, RunConfigError } from '../../src/shared/run-config';

describe('Redis URLs', () => {
  it('reads host, port, database, user and password, with defaults', () => {
    expect(parseRedisUrl('redis://localhost')).toEqual({ tls: false, host: 'localhost', port: 6379, db: 0 });
    expect(parseRedisUrl('redis://10.0.0.5:6380/2')).toEqual({ tls: false, host: '10.0.0.5', port: 6380, db: 2 });
    expect(parseRedisUrl('redis://:only-a-password@h')).toEqual({ tls: false, host: 'h', port: 6379, db: 0, password: 'only-a-password' });
    expect(parseRedisUrl('redis://[::1]:7000/')).toEqual({ tls: false, host: '::1', port: 7000, db: 0 });
  });

  it('takes rediss:// as TLS, and unescapes user name and password', () => {
    expect(parseRedisUrl('rediss://worker:p%40ss%2Fw%3Ard@cache.example.com:6390/3')).toEqual({
      tls: true,
      host: 'cache.example.com',
      port: 6390,
      db: 3,
      username: 'worker',
      password: 'p@ss/w:rd',
    });
    expect(redisOptions('rediss://worker:secret@cache.example.com:6390/3')).toEqual({ host: 'cache.example.com', port: 6390, db: 3, username: 'worker', password: 'secret', tls: {} });
    expect(redisOptions('redis://127.0.0.1:1234')).toEqual({ host: '127.0.0.1', port: 1234, db: 0 });
  });

  it('refuses what is not a Redis URL, saying what is expected and never showing the password', () => {
    for (const [url, why] of [
      ['http://u:secret@host', /scheme http/],
      ['redis://u:secret@host/zero', /database must be a number/],
      ['redis://u:secret@host:6379/0?tls=true', /options after \?/],
      ['redis://u:secret@host:99999', /does not parse/],
      ['localhost:6379', /scheme localhost|does not parse/],
    ] as const) {
      expect(() => parseRedisUrl(url), url).toThrow(why);
      expect(() => parseRedisUrl(url), url).toThrow(/expected redis:\/\/\[user:password@\]host\[:port\]\[\/db\] or rediss:\/\//);
      try {
        parseRedisUrl(url);
      } catch (error) {
        expect((error as Error).message).not.toContain('secret');
      }
      expect(isRedisUrl(url)).toBe(false);
    }
  });

  it('shows a URL without its password, even a broken one', () => {
    expect(redisUrlForDisplay('rediss://worker:s3cr3t@cache:6390/3')).toBe('rediss://worker:***@cache:6390/3');
    expect(redisUrlForDisplay('redis://:s3cr3t@cache')).toBe('redis://:***@cache');
    expect(redisUrlForDisplay('redis://:pa@ss@cache/0')).toBe('redis://:***@cache/0');
    expect(redisUrlForDisplay('redis://cache:6379')).toBe('redis://cache:6379');
    expect(redisUrlForDisplay('redis://u:s3cr3t@host/zero')).not.toContain('s3cr3t');
  });

  it("is part of the run config, which checks it and refuses it for table lookups", () => {
    const actionSet = JSON.parse(readFileSync(new URL('../../resources/action-sets/mlp.json', import.meta.url), 'utf8')) as unknown;
    const base = { evaluator: 'training', strategy: 'random', budget: 2, seed: 0, dataset: 'synthetic', actionSet } as const;
    expect(parseRunConfig({ ...base, redis: { url: 'rediss://u:p@h:1/2' } }).redis).toEqual({ url: 'rediss://u:p@h:1/2', attempts: 3 });
    expect(() => parseRunConfig({ ...base, redis: { url: 'redis//nope' } })).toThrow(RunConfigError);
    expect(() => parseRunConfig({ ...base, redis: { url: 'redis//nope' } })).toThrow(/expected redis:\/\/[\s\S]*at redis.url/);
    const nb201 = () => parseRunConfig({ evaluator: 'nb201', strategy: 'random', budget: 2, seed: 0, redis: { url: 'redis://h' } });
    expect(nb201).toThrow(/remote workers train candidates/);
  });
});
