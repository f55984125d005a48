/**
 * The web UI's page and stylesheet. The page is a fixed shell (no data: everything shown comes from the API
 * and is inserted as text by the modules in ui/), so it can be served without a token.
 */

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crsaug serve</title>
<link rel="stylesheet" href="/ui/styles.css">
<script type="module" src="/ui/app.js"></script>
</head>
<body>
<header class="top">
  <h1>crsaug</h1>
  <nav class="tabs" role="tablist">
    <button type="button" role="tab" data-tab="chat" aria-selected="true">Chat</button>
    <button type="button" role="tab" data-tab="explorer" aria-selected="false">Augmentation explorer</button>
    <button type="button" role="tab" data-tab="runs" aria-selected="false">Runs</button>
  </nav>
  <label class="run-picker">Run <select id="run-select" aria-label="run"></select></label>
</header>
<p id="status" class="status" role="status" hidden></p>
<main>
  <section id="tab-chat" class="tab" role="tabpanel">
    <div class="chat-layout">
      <div class="conversation">
        <h2>Conversation</h2>
        <ol id="transcript" class="transcript" aria-live="polite"></ol>
        <form id="chat-form" class="chat-form">
          <select id="chat-role" aria-label="speaker">
            <option value="user">User</option>
            <option value="recommender">Recommender</option>
          </select>
          <input id="chat-input" aria-label="message" maxlength="4000" autocomplete="off"
            placeholder="Tell the recommender what you feel like watching…">
          <button type="submit">Send</button>
          <button type="button" id="chat-reset" class="secondary">New chat</button>
        </form>
        <div id="chat-entities" class="entities" aria-label="linked entities"></div>
        <p class="hint">Movies, people and genres in the text are linked to the knowledge graph (underlined chips);
          linked movies are never recommended back.</p>
      </div>
      <div class="recommendations">
        <div class="toolbar">
          <label>Model <select id="chat-model"></select></label>
          <label>Compare with <select id="chat-mode"></select></label>
          <label>Seed <select id="chat-seed"></select></label>
        </div>
        <div class="columns">
          <div class="rec-list" id="list-left"></div>
          <div class="rec-list" id="list-right"></div>
        </div>
      </div>
    </div>
  </section>

  <section id="tab-explorer" class="tab" role="tabpanel" hidden>
    <form id="labels-form" class="toolbar">
      <label>Show <select id="labels-filter">
        <option value="all">all pairs</option>
        <option value="kept">kept as synthetic labels</option>
        <option value="not-kept">candidates not kept</option>
        <option value="teacher">judged by the teacher</option>
        <option value="disagree">teacher and student disagree</option>
        <option value="human">relabelled here</option>
      </select></label>
      <label>by at least <input id="labels-gap" type="number" min="0" max="4" step="0.5" value="1"></label>
      <label>Sort pairs by <select id="labels-sort">
        <option value="student">student score</option>
        <option value="rank">retrieval rank</option>
        <option value="gap">teacher − student gap</option>
      </select></label>
      <label>Search <input id="labels-q" type="search" maxlength="200" placeholder="title or words"></label>
      <button type="submit">Apply</button>
    </form>
    <p id="labels-summary" class="summary"></p>
    <div id="labels"></div>
    <nav class="pager">
      <button type="button" id="labels-prev" class="secondary">Previous</button>
      <span id="labels-page"></span>
      <button type="button" id="labels-next" class="secondary">Next</button>
    </nav>
  </section>

  <section id="tab-runs" class="tab" role="tabpanel" hidden>
    <table id="runs-table" class="grid">
      <thead><tr><th>Run</th><th>Dataset</th><th>Created</th><th>Models</th></tr></thead>
      <tbody></tbody>
    </table>
    <div id="run-detail"></div>
  </section>
</main>
<dialog id="token-dialog">
  <form id="token-form">
    <p>This server needs its bearer token.</p>
    <label>Token <input id="token-input" type="password" autocomplete="off" required></label>
    <button type="submit">Use</button>
  </form>
</dialog>
</body>
</html>
`;

export const UI_STYLES = `
:root {
  --fg: #1d2433; --muted: #5b6577; --line: #d9dee8; --bg: #f6f7fa; --card: #fff;
  --accent: #2f5fb3; --accent-soft: #e6eefb; --good: #1f7a4d; --good-soft: #e3f4ea;
  --warn: #9a5b00; --warn-soft: #fdf1dc; --bad: #a3262a;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
h1 { font-size: 1.2rem; margin: 0; letter-spacing: .02em; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
h3 { font-size: .95rem; margin: 0 0 .4rem; }
button, select, input { font: inherit; }
button { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: .35rem .8rem; cursor: pointer; }
button.secondary { background: var(--card); color: var(--accent); border: 1px solid var(--line); }
button:disabled { opacity: .5; cursor: default; }
select, input { border: 1px solid var(--line); border-radius: 6px; padding: .3rem .45rem; background: #fff; }
.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: var(--card); border-bottom: 1px solid var(--line); }
.tabs { display: flex; gap: .25rem; }
.tabs button { background: transparent; color: var(--muted); border-radius: 6px; }
.tabs button[aria-selected="true"] { background: var(--accent-soft); color: var(--accent); font-weight: 600; }
.run-picker { margin-left: auto; color: var(--muted); }
main { padding: 1rem 1.2rem; }
.status { margin: .6rem 1.2rem 0; padding: .5rem .8rem; border-radius: 6px; background: var(--warn-soft); color: var(--warn); }
.hint, .summary { color: var(--muted); font-size: .88rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; margin-bottom: .8rem; }
.toolbar label { color: var(--muted); font-size: .9rem; }
.chat-layout { display: grid; grid-template-columns: minmax(300px, 2fr) 3fr; gap: 1.2rem; align-items: start; }
.conversation, .rec-list, .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; }
.transcript { list-style: none; margin: 0 0 .8rem; padding: 0; display: flex; flex-direction: column; gap: .4rem; min-height: 6rem; }
.turn { max-width: 88%; padding: .45rem .7rem; border-radius: 10px; white-space: pre-wrap; }
.turn .who { display: block; font-size: .75rem; color: var(--muted); }
.turn.user { align-self: flex-end; background: var(--accent-soft); }
.turn.recommender { align-self: flex-start; background: #eef0f4; }
.chat-form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.chat-form select { flex: none; width: auto; }
.chat-form input { flex: 1 1 12rem; }
.entities { display: flex; flex-wrap: wrap; gap: .3rem; margin-top: .6rem; }
.chip { font-size: .8rem; padding: .1rem .5rem; border-radius: 999px; background: #eef0f4; border-bottom: 2px solid var(--muted); }
.chip.item { background: var(--good-soft); border-color: var(--good); }
.chip.genre { border-color: var(--warn); }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: .8rem; }
.rec-list ol { margin: 0; padding: 0; list-style: none; }
.rec-list li { border-top: 1px solid var(--line); padding: .3rem 0; }
.rec-list summary { cursor: pointer; display: flex; gap: .4rem; align-items: baseline; }
.rec-list .rank { color: var(--muted); width: 1.6rem; text-align: right; flex: none; }
.rec-list .name { flex: 1; }
.rec-list .prob { color: var(--muted); font-size: .8rem; font-variant-numeric: tabular-nums; }
.badge { font-size: .7rem; padding: 0 .35rem; border-radius: 4px; background: #eef0f4; color: var(--muted); }
.badge.new { background: var(--good-soft); color: var(--good); }
.details { margin: .3rem 0 .2rem 2rem; font-size: .85rem; color: var(--muted); }
.details p { margin: .15rem 0; }
.context-card { margin-bottom: 1rem; }
.context-card header { display: flex; gap: 1rem; align-items: baseline; margin-bottom: .4rem; }
.context-card header .meta { color: var(--muted); font-size: .85rem; }
.dialogue { margin: 0 0 .6rem; padding: 0; list-style: none; font-size: .9rem; max-height: 14rem; overflow: auto; }
.dialogue li { margin: .15rem 0; }
.dialogue .who { font-weight: 600; color: var(--muted); margin-right: .3rem; }
table.grid { border-collapse: collapse; width: 100%; font-size: .88rem; background: var(--card); }
table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
table.grid th { color: var(--muted); font-weight: 600; }
table.grid td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.kept td:first-child { box-shadow: inset 3px 0 0 var(--good); }
tr.selectable { cursor: pointer; }
tr.selectable:hover, tr.selected { background: var(--accent-soft); }
.bar { display: inline-block; height: .55rem; background: var(--accent); border-radius: 2px; margin-right: .3rem; vertical-align: middle; }
.score-gap { color: var(--bad); font-weight: 600; }
.reason { color: var(--muted); font-size: .8rem; }
.relabel { display: flex; gap: .4rem; align-items: center; }
.relabel input { flex: 1; min-width: 12rem; }
.pager { display: flex; gap: .8rem; align-items: center; justify-content: center; margin-top: .8rem; }
.run-detail-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; margin-top: 1rem; }
iframe.report { width: 100%; height: 70vh; border: 1px solid var(--line); border-radius: 8px; background: #fff; margin-top: 1rem; }
dialog { border: 1px solid var(--line); border-radius: 8px; }
@media (max-width: 900px) { .chat-layout, .columns, .run-detail-grid { grid-template-columns: 1fr; } }
`;
