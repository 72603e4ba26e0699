/**
 * The on-disk files an agent-run leaves in its bundle, in one module for both sides: the
 * agent-run writes them (EventLog, writeStateFile), agentd reads them (readEventFiles,
 * readStateFile, readConfigFile). Formats: specs/events.md and specs/runtime.md.
 *
 * @module
 */
export { assertRetained } from "./assert_retained.ts";
export { ConfigFileError, parseConfigText, readConfigFile } from "./config.ts";
export { EventLogCorruptError, EventLogStateError, EventLogTruncatedError } from "./errors.ts";
export { type EventFileStats, eventFileStats } from "./event_file_stats.ts";
export {
  DEFAULT_SEGMENT_BYTES,
  EventLog,
  type EventLogOptions,
  type EventLogStats,
} from "./event_log.ts";
export { lastEventSeq } from "./last_event_seq.ts";
export { type FileLine, readLines, type ReadLinesOptions } from "./line_reader.ts";
export { parseEventLine } from "./parse_event_line.ts";
export { readEventFiles, type ReadEventFilesOptions } from "./read_event_files.ts";
export { listSegments, type Segment, segmentFileName } from "./segments.ts";
export { readStateFile, writeStateFile, writeStateFileSync } from "./state.ts";
