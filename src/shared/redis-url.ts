/**
 * The Redis a run's candidates are queued on, as users write it:
 * `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. Parsed here, once, for the
 * run config's check, the coordinator and `gennerator worker` alike. A URL may carry a password:
 * what is shown or logged is `redisUrlForDisplay`, never the URL itself.
 */

export interface RedisEndpoint {
  tls: boolean;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

export const REDIS_URL_FORM = 'redis://[user:password@]host[:port][/db] or rediss://… (TLS)';
const DEFAULT_PORT = 6379;

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

export function parseRedisUrl(text: string): RedisEndpoint {
  const fail = (why: string): never => {
    throw new RedisUrlError(`${redisUrlForDisplay(text)} is not a Redis URL (${why}): expected ${REDIS_URL_FORM}`);
  };
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return fail('it does not parse as a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') fail(`scheme ${url.protocol.replace(/:$/, '')}`);
  // IPv6 hosts come bracketed ([::1]): ioredis wants the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) fail('no host');
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(path)) fail(`the database must be a number, got "${path}"`);
  if (url.search || url.hash) fail('options after ? or # are not supported');
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail('a badly escaped user name or password');
    }
  };
  return {
    tls: url.protocol === 'rediss:',
    host,
    port,
    db: path === '' ? 0 : Number(path),
    ...(url.username ? { username: decode(url.username) } : {}),
    ...(url.password ? { password: decode(url.password) } : {}),
  };
}

/** Whether `text` is a Redis URL parseRedisUrl accepts. */
export function isRedisUrl(text: string): boolean {
  try {
    parseRedisUrl(text);
    return true;
  } catch (error) {
    if (error instanceof RedisUrlError) return false;
    throw error;
  }
}

/** The URL as it may be shown and logged: the password replaced by ***, whatever else is wrong with it. */
export function redisUrlForDisplay(text: string): string {
  // By hand rather than through URL, so that a URL too broken to parse loses its password too.
  return text.trim().replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/]*@/i, '$1:***@');
}
