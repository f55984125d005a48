/**
 * The report's stylesheet, inlined so the HTML file is self-contained. System fonts only: a report opened
 * offline, or attached to an e-mail, must look the same and make no requests.
 */
export const REPORT_CSS = `
:root {
  --fg: #1d2330; --muted: #5d6779; --line: #dde2ea; --bg: #ffffff; --panel: #f6f8fb; --accent: #0b5cad;
  --good: #1a7f37; --bad: #b42318; --warn-bg: #fff7e6; --warn-line: #f0b429; --gold: #9a6700;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1080px; margin: 0 auto; padding: 0 32px 64px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.88em; }
.page-header { padding: 36px 0 18px; border-bottom: 1px solid var(--line); }
.eyebrow { margin: 0; color: var(--accent); font-weight: 600; letter-spacing: .06em; text-transform: uppercase; font-size: 12px; }
h1 { margin: 4px 0 14px; font-size: 30px; line-height: 1.2; }
h2 { margin: 44px 0 14px; font-size: 22px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { margin: 30px 0 8px; font-size: 17px; }
h4 { margin: 0 0 8px; font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.secnum { color: var(--muted); font-weight: 500; margin-right: 10px; font-variant-numeric: tabular-nums; }
dl.meta, dl.stats { display: flex; flex-wrap: wrap; gap: 10px 28px; margin: 0; }
dl.meta dt, dl.stats dt { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
dl.meta dd, dl.stats dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
dl.stats { margin-top: 14px; padding: 12px 16px; background: var(--panel); border-radius: 8px; }
.command { margin: 12px 0 0; color: var(--muted); }
nav.toc { margin: 18px 0 0; font-size: 14px; }
nav.toc ol { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 8px; padding: 0; margin: 0; }
nav.toc a { display: inline-block; padding: 3px 10px; border: 1px solid var(--line); border-radius: 999px; color: var(--fg); text-decoration: none; }
nav.toc a:hover { border-color: var(--accent); color: var(--accent); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; margin: 22px 0 0; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; background: var(--panel); }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card .big { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .sub { font-size: 13px; color: var(--muted); }
.callout { border-radius: 8px; padding: 12px 16px; margin: 12px 0 18px; border: 1px solid var(--line); background: var(--panel); }
.callout.warn { background: var(--warn-bg); border-color: var(--warn-line); }
.callout ul { margin: 6px 0 0; padding-left: 20px; }
.table-wrap { overflow-x: auto; margin: 10px 0 14px; }
table.data { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
table.data caption { caption-side: top; text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 6px; }
table.data th, table.data td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.data thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); border-bottom: 2px solid #c5ccd8; white-space: nowrap; }
table.data tfoot th, table.data tfoot td { font-weight: 650; border-top: 2px solid #c5ccd8; border-bottom: none; }
table.data .num { text-align: right; white-space: nowrap; }
table.data td.unknown, .unknown { color: var(--muted); font-style: italic; }
table.data.compact th, table.data.compact td { padding: 4px 8px; font-size: 13px; }
table.results tbody th { font-weight: 650; background: var(--panel); }
table.results tr.group-start > * { border-top: 2px solid #c5ccd8; }
table.results td.best .value { font-weight: 700; }
.delta { display: block; font-size: 11.5px; line-height: 1.2; }
.delta.up { color: var(--good); }
.delta.down { color: var(--bad); }
sup.sig { color: var(--accent); font-weight: 700; margin-left: 1px; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
figure { margin: 18px 0 10px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
svg.chart { display: block; width: 100%; max-width: 800px; height: auto; color: var(--fg); }
svg.chart text { fill: var(--fg); }
svg.chart .tick { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg.chart .grid { stroke: #e9edf3; }
svg.chart .axis-line, svg.chart .tick-mark { stroke: #8a93a3; }
svg.chart .axis-title { font-weight: 600; }
svg.chart .error-bar line { stroke-width: 1.4; }
svg.chart .marker line { stroke: #6b7280; stroke-dasharray: 4 3; }
svg.chart .marker text { fill: #374151; font-size: 11px; }
svg.chart .series rect:hover, svg.chart .series circle:hover { opacity: .8; }
.experiment { margin-top: 8px; }
details { margin: 10px 0; }
details > summary { cursor: pointer; color: var(--accent); }
details.config pre { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; overflow: auto; max-height: 520px; }
details.example { border: 1px solid var(--line); border-radius: 10px; padding: 0; }
details.example > summary { padding: 10px 14px; color: var(--fg); background: var(--panel); border-radius: 10px; }
details.example[open] > summary { border-bottom: 1px solid var(--line); border-radius: 10px 10px 0 0; }
.ex-id { font-weight: 650; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.example-body { display: grid; grid-template-columns: minmax(0, 0.9fr) minmax(0, 1.25fr); gap: 22px; padding: 14px; }
@media (max-width: 980px) { .example-body { grid-template-columns: 1fr; } main { padding: 0 16px 48px; } }
ol.dialogue { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.turn { max-width: 88%; padding: 7px 11px; border-radius: 12px; font-size: 14px; }
.turn p { margin: 0; overflow-wrap: anywhere; }
.turn .role { display: block; font-size: 11px; font-weight: 650; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.turn.user { align-self: flex-start; background: #eef2f7; border-top-left-radius: 3px; }
.turn.recommender { align-self: flex-end; background: #e6f0fb; border-top-right-radius: 3px; }
table.candidates tr.kept td { background: #f1f8f3; }
table.candidates tr.gold td:nth-child(2) { font-weight: 650; }
td.score { min-width: 84px; }
.scoretrack { display: inline-block; width: 32px; height: 5px; margin-right: 8px; vertical-align: middle; background: #edf0f5; border-radius: 3px; overflow: hidden; }
.scorebar { display: block; height: 100%; background: #aab4c3; }
.scorebar.pass { background: var(--good); }
.badge { display: inline-block; font-size: 11px; font-weight: 650; padding: 1px 7px; border-radius: 999px; line-height: 1.5; white-space: nowrap; }
.badge.kept { background: #dcf2e3; color: var(--good); }
.badge.gold { background: #fff1c2; color: var(--gold); }
.badge.offline { background: #fff1c2; color: var(--gold); }
.badge.online { background: #e6f0fb; color: var(--accent); }
footer { margin-top: 56px; padding-top: 14px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media print { nav.toc { display: none; } details { display: block; } h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
`;
