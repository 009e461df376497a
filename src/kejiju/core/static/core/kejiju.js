// Behaviour without inline scripts (the content security policy forbids them).
(function () {
  "use strict";
  function bind(root) {
    root.querySelectorAll("select.js-autosubmit").forEach(function (el) {
      if (el.dataset.bound) return;
      el.dataset.bound = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.dataset.confirm)) { ev.preventDefault(); }
      });
    });
    // A single button of a form may ask first (e.g. 提交 next to 保存).
    root.querySelectorAll("button[data-confirm]").forEach(function (button) {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", function (ev) {
        if (!window.confirm(button.dataset.confirm)) { ev.preventDefault(); }
      });
    });
    root.querySelectorAll("select.js-tomselect").forEach(function (el) {
      if (el.tomselect || !window.TomSelect) return;
      new window.TomSelect(el, { maxOptions: 500 });
    });
    root.querySelectorAll("input.js-date").forEach(function (el) {
      if (el._flatpickr || !window.flatpickr) return;
      window.flatpickr(el, { locale: "zh", dateFormat: "Y-m-d", allowInput: true });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (ev) { bind(ev.target); });
})();
