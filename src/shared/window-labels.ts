/** How a person reads a plan window's name (`five_hour` → "5-hour"): the same words in every log line and view. */
export const WINDOW_LABELS: Readonly<Record<string, string>> = {
  five_hour: "5-hour",
  seven_day: "7-day",
  seven_day_opus: "7-day Opus",
  seven_day_sonnet: "7-day Sonnet",
  overage: "overage",
  extra_usage: "extra usage",
};

/** A window's (or a representative claim's) name in words; an unknown one with spaces for underscores. */
export const windowLabel = (name: string): string => WINDOW_LABELS[name] ?? name.replaceAll("_", " ");
