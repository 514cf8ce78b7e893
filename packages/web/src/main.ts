// Placeholder console page until the console issue lands: shows the server's public facts.
const root = document.getElementById('root');
if (root) {
  root.innerHTML =
    '<main><h1>Vigil</h1><p>The web console arrives with its own issue. Use the CLI or the API: <a href="/api/docs">API docs</a>.</p><p id="facts"></p></main>';
  fetch('/api/v1/server-info')
    .then((r) => r.json())
    .then((info: { version: string; ca_fingerprint: string }) => {
      const facts = document.getElementById('facts');
      if (facts) facts.textContent = `Server ${info.version} — CA ${info.ca_fingerprint}`;
    })
    .catch(() => {});
}
