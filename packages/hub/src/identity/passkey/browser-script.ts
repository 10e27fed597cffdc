// The browser side of passkeys, as a script to inline in a page (it has no dependencies and no
// per-page values, so one copy serves every page and a CSP hash stays stable). It converts
// between the JSON the hub speaks (base64url) and the ArrayBuffers WebAuthn takes.
//
// Two ways to use it:
// - A form that works like every other login form: <form method="post" action="/login/passkey"
//   data-passkey="login" data-options-url="/login/passkey/options"> with hidden inputs _csrf and
//   response (and next, level...). On submit the script posts the form's fields as JSON to the
//   options URL, runs the ceremony, puts the credential JSON into `response` and submits the form,
//   so the server answers with its usual redirect or error page. data-passkey="register" is the
//   same for adding a passkey. An element inside the form marked data-passkey-error is shown when
//   the ceremony fails or is cancelled; one marked data-passkey-unsupported is shown (and the
//   submit buttons disabled) when the browser has no WebAuthn.
// - From code: OpenMyDataPasskey.register({ optionsUrl, verifyUrl, csrf, fields }) and .login(...)
//   post JSON { _csrf, ...fields } to optionsUrl (answer: { options } or the options themselves),
//   run the ceremony, post { _csrf, ...fields, response } to verifyUrl and resolve with its JSON.

const SCRIPT = String.raw`(function () {
  'use strict';
  function toB64u(buffer) {
    var bytes = new Uint8Array(buffer), text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function fromB64u(value) {
    var text = String(value).replace(/-/g, '+').replace(/_/g, '/');
    while (text.length % 4) text += '=';
    var binary = atob(text), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }
  function descriptors(list) {
    return (list || []).map(function (d) { return { type: d.type || 'public-key', id: fromB64u(d.id), transports: d.transports }; });
  }
  function supported() {
    return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
  }
  function creationOptions(o) {
    var p = Object.assign({}, o);
    p.challenge = fromB64u(o.challenge);
    p.user = Object.assign({}, o.user, { id: fromB64u(o.user.id) });
    p.excludeCredentials = descriptors(o.excludeCredentials);
    return p;
  }
  function requestOptions(o) {
    var p = Object.assign({}, o);
    p.challenge = fromB64u(o.challenge);
    if (o.allowCredentials) p.allowCredentials = descriptors(o.allowCredentials);
    return p;
  }
  function credentialJSON(credential) {
    var r = credential.response, out = {
      id: credential.id,
      rawId: toB64u(credential.rawId),
      type: credential.type,
      clientExtensionResults: {},
      response: { clientDataJSON: toB64u(r.clientDataJSON) }
    };
    if (credential.authenticatorAttachment) out.authenticatorAttachment = credential.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = toB64u(r.attestationObject);
      out.response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toB64u(r.authenticatorData);
      out.response.signature = toB64u(r.signature);
      if (r.userHandle && r.userHandle.byteLength) out.response.userHandle = toB64u(r.userHandle);
    }
    return out;
  }
  function postJSON(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) { var error = new Error('HTTP ' + res.status); error.status = res.status; error.data = data; throw error; }
        return data;
      });
    });
  }
  function ceremony(kind, fields, optionsUrl) {
    if (!supported()) return Promise.reject(new Error('WebAuthn is not available in this browser'));
    return postJSON(optionsUrl, fields).then(function (data) {
      var options = data && data.options ? data.options : data;
      return kind === 'register'
        ? navigator.credentials.create({ publicKey: creationOptions(options) })
        : navigator.credentials.get({ publicKey: requestOptions(options) });
    }).then(function (credential) {
      if (!credential) throw new Error('no credential');
      return credentialJSON(credential);
    });
  }
  function run(kind, config) {
    var fields = Object.assign({ _csrf: config.csrf }, config.fields || {});
    return ceremony(kind, fields, config.optionsUrl).then(function (response) {
      return postJSON(config.verifyUrl, Object.assign({}, fields, { response: response }));
    });
  }
  function formFields(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) { if (name !== 'response' && typeof value === 'string') fields[name] = value; });
    return fields;
  }
  function bind(form) {
    var kind = form.getAttribute('data-passkey');
    if (kind !== 'register' && kind !== 'login') return;
    var errorBox = form.querySelector('[data-passkey-error]');
    var buttons = form.querySelectorAll('button, input[type=submit]');
    if (!supported()) {
      var unsupported = form.querySelector('[data-passkey-unsupported]');
      if (unsupported) unsupported.hidden = false;
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
      return;
    }
    form.addEventListener('submit', function (event) {
      if (form.elements.response && form.elements.response.value) return;
      event.preventDefault();
      if (errorBox) errorBox.hidden = true;
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
      ceremony(kind, formFields(form), form.getAttribute('data-options-url')).then(function (response) {
        form.elements.response.value = JSON.stringify(response);
        form.submit();
      }).catch(function () {
        if (errorBox) errorBox.hidden = false;
        for (var i = 0; i < buttons.length; i++) buttons[i].disabled = false;
      });
    });
  }
  window.OpenMyDataPasskey = {
    supported: supported,
    register: function (config) { return run('register', config); },
    login: function (config) { return run('login', config); }
  };
  function bindAll() {
    var forms = document.querySelectorAll('form[data-passkey]');
    for (var i = 0; i < forms.length; i++) bind(forms[i]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', bindAll);
  else bindAll();
})();`;

/** The browser-side script, ready to inline in a <script> element. */
export function passkeyScript(): string {
  return SCRIPT;
}
