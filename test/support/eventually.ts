/**
 * Retries an assertion until it passes or the time is up (then throws its last error): for effects that happen in
 * the background, such as a catalogue refreshed behind a request. No fixed sleeps in tests.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await Bun.sleep(intervalMs);
    }
  }
}
