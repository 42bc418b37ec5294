/**
 * CPU time this process spends (user + system, all its threads). Cost bounds in tests are measured
 * in it, not in wall-clock time: on a loaded machine the wall clock also counts the time spent
 * waiting for a core, which says nothing about the code under test.
 */
export function cpuStopwatch(): { ms(): number } {
  const start = process.cpuUsage();
  return {
    ms() {
      const { user, system } = process.cpuUsage(start);
      return (user + system) / 1000;
    },
  };
}
