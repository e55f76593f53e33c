/** One line of `printgate doctor`: what was checked, what was found, and what to do about it. */
export interface DoctorCheck {
  check: string;
  /** False: a failure (doctor exits 1). */
  ok: boolean;
  /** True: works, but a person should know (doctor still exits 0). */
  warning?: true;
  detail: string;
  /** What to do about it: a command or a config line, when not ok or a warning. */
  fix?: string;
}

export const pass = (check: string, detail: string): DoctorCheck => ({ check, ok: true, detail });
export const warn = (check: string, detail: string, fix: string): DoctorCheck => ({ check, ok: true, warning: true, detail, fix });
export const fail = (check: string, detail: string, fix: string): DoctorCheck => ({ check, ok: false, detail, fix });
