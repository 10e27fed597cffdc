// What a kind of flow gives the flows bench (npm run bench -- flows --kind NAME): how to get ready on
// a running demo stack, and one function that does one complete flow for one new person. The bench
// drives that function at each concurrency level and does all the measuring; a kind only does the
// flow, and says how many agency packages it caused (for the agencies' CPU per package).
import type { Timings } from './browser.ts';
import type { DemoStack } from './demo-stack.ts';

export interface FlowContext {
  /** The flow's number in the run (warm-up and levels together), from 0; kinds pick their person with it (round robin). */
  index: number;
  /** Aborted when the level's time limit passes: stop at once (a FlowError from the browser says so). */
  signal: AbortSignal;
  /** Longest a single request may wait for an answer before the flow counts as failed. */
  requestTimeoutMs: number;
  /** Where the browser reports each request's duration, by step (method and route). */
  timings: Timings;
}

export interface FlowResult {
  /** Agency packages this flow caused to be served (one per data set fetched). */
  packages: number;
}

/** One complete flow; throws a FlowError whose reason names the step and status that went wrong. */
export type Flow = (ctx: FlowContext) => Promise<FlowResult>;

export interface KindOptions {
  /** --datasets a,b,c when given; each kind decides what it means (or refuses it). */
  datasets?: string[];
  /** The most flows the run has under way at once (its highest level), for kinds that keep one of something per flow (a clerk). */
  concurrency: number;
}

export interface PreparedKind {
  flow: Flow;
  /** One line for the report: what a flow of this kind does. */
  description: string;
  /** Anything the kind started for itself (a service process, a mail sink), stopped after the run. */
  close?(): Promise<void>;
}

export interface FlowKind {
  /**
   * Runs before the stack starts: environment the hub needs for this kind (e.g. SMTP_URL of a mail
   * sink the kind starts here; PreparedKind.close stops it).
   */
  hubEnv?(): Promise<Record<string, string>>;
  prepare(stack: DemoStack, options: KindOptions): Promise<PreparedKind>;
}
