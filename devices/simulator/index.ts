/**
 * An analyzer simulator for tests, demonstrations and interface checks: it replays a capture
 * (ASTM or HL7) to a host over a serial port or TCP with the protocol's handshake, and injects
 * faults on request. Use it in-process:
 *
 *   const capture = readCapture(await readFile(path));
 *   const simulator = new AnalyzerSimulator({ capture, connection: { kind: 'tcp-client', host, port } });
 *   simulator.on('event', (event) => console.log(formatEvent(event)));
 *   const report = await simulator.run();
 *
 * or from the command line as `hms-lab simulate` (see SIMULATE_HELP).
 */
export { readCapture } from './capture.js';
export type { ReadCaptureOptions } from './capture.js';
export { CaptureError } from './capture-types.js';
export type { Capture, CaptureFormat, CaptureMessage, CaptureProtocol } from './capture-types.js';
export { decodeEscapedLog, isEscapedLog } from './escaped-log.js';

export { AnalyzerSimulator } from './simulator.js';
export type { AnalyzerSimulatorEvents, FaultResult, MessageResult, SimulationReport } from './simulator.js';
export { SIMULATOR_DEFAULTS } from './simulator-options.js';
export type { SimulatorOptions } from './simulator-options.js';
export type { AstmTimingOptions } from './astm-sender.js';
export { FAULT_KINDS, FaultError, describeFault, parseFault, planFaults } from './faults.js';
export type { Fault, FaultKind, PlannedFault } from './faults.js';
export type { FailureReason, FrameReply, SimulatorEvent, SimulatorEventType } from './events.js';
export { formatEvent } from './event-format.js';
export type { EventFormatOptions } from './event-format.js';

export { runSimulate } from './command.js';
export type { CommandOutput } from './command.js';
export { parseSimulateArguments, UsageError } from './command-line.js';
export type { SimulateArguments } from './command-line.js';
export { SIMULATE_HELP } from './help.js';
