// The portal's progressive enhancements, one static file so the pages can forbid inline scripts.
// Every page works without it; each part acts only when its element is on the page.
(() => {
  // Sessions end after 20 idle minutes; two minutes before, say so.
  const idle = document.getElementById('idle-warning');
  if (idle)
    setTimeout(
      () => {
        idle.hidden = false;
      },
      18 * 60 * 1000,
    );

  // Package password strength, as the person types.
  const password = document.getElementById('password');
  const strength = document.getElementById('password-strength');
  if (password && strength) {
    const bars = ['▱▱▱▱', '▰▱▱▱', '▰▰▱▱', '▰▰▰▱', '▰▰▰▰'];
    password.addEventListener('input', () => {
      const v = password.value;
      let score = 0;
      if (v.length >= 10) score++;
      if (v.length >= 14) score++;
      if (/[a-z]/.test(v) && /[A-Z]/.test(v)) score++;
      if (/[0-9]/.test(v) && /[^A-Za-z0-9]/.test(v)) score++;
      if (/(.)\1\1/.test(v)) score = Math.max(0, score - 1);
      strength.textContent = `${strength.dataset.label}: ${bars[score]}`;
    });
  }

  // Live progress over server-sent events; the page reloads when everything has answered.
  const progress = document.getElementById('progress');
  if (progress?.dataset.events && window.EventSource) {
    const labels = JSON.parse(progress.dataset.labels || '{}');
    const events = new EventSource(progress.dataset.events);
    events.onmessage = (message) => {
      const data = JSON.parse(message.data);
      for (const p of data.progress) {
        const row = progress.querySelector(`tr[data-dataset="${CSS.escape(p.dataset)}"] .state`);
        if (row) row.textContent = labels[p.state] || p.state;
      }
      if (data.finished) {
        events.close();
        location.reload();
      }
    };
  }

  // The one-time download: once the hub says it was taken, draw the page again (it then says when,
  // and offers no button that could only fail).
  const download = document.querySelector('a[data-download-link]');
  if (download) {
    download.addEventListener('click', () => {
      let tries = 0;
      const poll = () => {
        tries += 1;
        fetch(download.dataset.status, { headers: { accept: 'application/json' } })
          .then((r) => (r.ok ? r.json() : undefined))
          .then((status) => {
            if (status?.delivered) location.reload();
            else if (tries < 120) setTimeout(poll, 1000);
          })
          .catch(() => {
            if (tries < 120) setTimeout(poll, 1000);
          });
      };
      setTimeout(poll, 500);
    });
  }

  // Citizen certificate: list the cards from the local signer, sign the hub's challenge, submit.
  const form = document.getElementById('x509');
  if (form) {
    const list = document.getElementById('cards');
    const button = document.getElementById('x509-sign');
    const error = document.getElementById('x509-error');
    const signer = form.dataset.signer;
    fetch(`${signer}/certificates`)
      .then((r) => {
        if (!r.ok) throw new Error('signer');
        return r.json();
      })
      .then((cards) => {
        // The reader says which card it holds; the page names it in its own language.
        if (cards.length === 0) {
          const empty = document.createElement('p');
          empty.textContent = list.dataset.empty;
          list.append(empty);
        }
        cards.forEach((card, i) => {
          const row = document.createElement('div');
          const input = document.createElement('input');
          input.type = 'radio';
          input.name = 'card';
          input.id = `card-${i}`;
          input.value = card.id;
          if (i === 0) input.checked = true;
          const label = document.createElement('label');
          label.htmlFor = input.id;
          label.textContent = ` ${list.dataset.label.replace('{number}', card.number).replace('{holder}', card.holder).replace('{validTo}', card.validTo)}`;
          row.append(input, label);
          list.append(row);
        });
        button.disabled = cards.length === 0;
      })
      .catch(() => {
        error.hidden = false;
      });
    form.addEventListener('submit', (event) => {
      if (form.elements.signature.value) return;
      event.preventDefault();
      const chosen = form.querySelector('input[name=card]:checked');
      if (!chosen) return;
      button.disabled = true;
      fetch(`${signer}/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ certificateId: chosen.value, nonce: form.dataset.nonce, origin: location.origin }),
      })
        .then((r) => {
          if (!r.ok) throw new Error('sign');
          return r.json();
        })
        .then((signed) => {
          form.elements.certificatePem.value = signed.certificatePem;
          form.elements.chainPem.value = JSON.stringify(signed.chainPem || []);
          form.elements.signature.value = signed.signature;
          form.submit();
        })
        .catch(() => {
          error.hidden = false;
          button.disabled = false;
        });
    });
  }
})();
