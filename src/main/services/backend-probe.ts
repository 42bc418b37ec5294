/** Asks a short-lived engine process which backend `auto` picks here (the app's status badge). */
import type { BackendReport } from '../../shared/backend';
import { parseEngineToMain } from '../../shared/engine-messages';
import type { EngineSpawner } from './engine-child';

export function probeBackend(spawn: EngineSpawner, timeoutMs = 60_000): Promise<BackendReport> {
  const child = spawn();
  return new Promise<BackendReport>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the engine did not report its backend within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the engine process exited (code ${code}) before reporting its backend`));
    });
    child.on('message', (data) => {
      let message;
      try {
        message = parseEngineToMain(data);
      } catch {
        return; // validated and dropped, as the supervisor does
      }
      if (message.type === 'ready') child.postMessage({ type: 'probe' });
      if (message.type === 'error') reject(new Error(message.message));
      if (message.type === 'backend') {
        clearTimeout(timer);
        resolve(message.backend);
        child.postMessage({ type: 'shutdown' });
      }
    });
  });
}
