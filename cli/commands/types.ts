export interface Command {
  name: string;
  summary: string;
  /** Full usage for --help; the summary when absent. */
  usage?: string;
  /** Returns the exit code. */
  run(argv: string[]): Promise<number>;
}
