export interface Command {
  name: string;
  summary: string;
  /** Returns the exit code. */
  run(argv: string[]): Promise<number>;
}
