export { escapeHtml } from './html.js';
export { parseReportInput, readReportInput } from './parse.js';
export { renderReport } from './render.js';
export { resultRow } from './result-row.js';
export {
  type Chart,
  type ContextExample,
  type Experiment,
  ReportInput,
  type ReportInputJson,
  type ResultRow,
  type StageCost,
  type Table,
} from './schema.js';
export { type WrittenReport, writeReport } from './write.js';
