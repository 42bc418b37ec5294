/**
 * Whether the webgpu tests can run here. Without a WebGPU adapter (no Vulkan loader or driver) they
 * skip, saying why; where GENNERATOR_REQUIRE_WEBGPU=1 (CI, see .ci/run) that is a failure instead.
 */
import { probeBackends } from '../../src/engine/backends';

export async function webgpuSkipReason(): Promise<string | undefined> {
  const probe = (await probeBackends()).find((p) => p.name === 'webgpu');
  if (probe?.available) return undefined;
  const reason = `webgpu tests skipped: ${probe?.reason ?? 'no webgpu probe'}`;
  if (process.env.GENNERATOR_REQUIRE_WEBGPU === '1') throw new Error(`GENNERATOR_REQUIRE_WEBGPU=1 but ${reason}`);
  console.warn(reason);
  return reason;
}
