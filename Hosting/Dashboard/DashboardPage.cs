namespace CreAspire.Hosting.Dashboard;

/// <summary>The single dashboard page: polls the JSON API once a second.</summary>
internal static class DashboardPage
{
    public const string Html = """
<!doctype html>
<html><head><meta charset="utf-8"><title>CreAspire dashboard</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;font-size:14px}
tr.sel{background:#eef}tr:hover{background:#f6f6ff;cursor:pointer}
.Healthy,.Finished{color:#080}.FailedToStart,.Exited,.Unhealthy{color:#b00}.Waiting,.Starting,.Running,.Stopping{color:#a60}
pre{background:#111;color:#ddd;padding:8px;height:45vh;overflow:auto;font-size:12px}.err{color:#f88}
</style></head>
<body>
<h2>CreAspire resources</h2>
<table><thead><tr><th>Name</th><th>Kind</th><th>State</th><th>Health</th><th>Endpoints</th><th>PID</th><th>Uptime</th><th>Restarts</th><th>Message</th></tr></thead>
<tbody id="rows"></tbody></table>
<h3 id="logtitle">Console logs (click a resource)</h3>
<pre id="log"></pre>
<script>
let selected = null, after = 0;
const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
function uptime(r) {
  if (!r.startedAt || r.stoppedAt) return '';
  const s = Math.floor((Date.now() - Date.parse(r.startedAt)) / 1000);
  return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
}
async function refresh() {
  const resources = await (await fetch('/api/resources')).json();
  document.getElementById('rows').innerHTML = resources.map(r =>
    `<tr data-name="${esc(r.name)}" class="${r.name === selected ? 'sel' : ''}"><td>${esc(r.parent ? '↳ ' + r.name : r.name)}</td><td>${esc(r.kind)}</td>` +
    `<td class="${esc(r.state)}">${esc(r.state)}</td><td>${esc(r.health)}</td>` +
    `<td>${r.endpoints.map(e => e.startsWith('http') ? `<a href="${esc(e)}">${esc(e)}</a>` : esc(e)).join('<br>')}</td>` +
    `<td>${esc(r.pid)}</td><td>${uptime(r)}</td><td>${r.restarts}</td><td>${esc(r.message)}</td></tr>`).join('');
  for (const row of document.querySelectorAll('#rows tr')) row.onclick = () => select(row.dataset.name);
}
function select(name) {
  selected = name; after = 0;
  document.getElementById('log').innerHTML = '';
  document.getElementById('logtitle').textContent = 'Console logs: ' + name;
}
async function pollLogs() {
  if (!selected) return;
  const name = selected;
  const data = await (await fetch(`/api/resources/${encodeURIComponent(name)}/logs?after=${after}`)).json();
  if (name !== selected || !data.lines) return;
  const log = document.getElementById('log');
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  for (const l of data.lines) { log.insertAdjacentHTML('beforeend', `<span class="${l.isError ? 'err' : ''}">${esc(l.text)}</span>\n`); after = l.sequence; }
  if (atBottom) log.scrollTop = log.scrollHeight;
}
async function tick() { try { await refresh(); await pollLogs(); } catch (e) { } setTimeout(tick, 1000); }
tick();
</script>
</body></html>
""";
}
