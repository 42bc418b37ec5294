/** An engine process that says nothing and never exits: for the API's handlers, which only need one to be spawned. */
import { EventEmitter } from 'node:events';
import type { EngineChild } from '../../src/main/services/engine-child';

export class SilentEngine extends EventEmitter implements EngineChild {
  readonly pid = 4242;
  postMessage(): void {}
  kill(): boolean {
    return true;
  }
}
