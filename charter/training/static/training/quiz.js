// Quiz attempt page: saves an answer as soon as it changes (a same-origin POST of the question's own form)
// and shows a countdown. Both are conveniences: without JavaScript each question has its save button, and
// the server's clock alone decides when time is up.
document.addEventListener("DOMContentLoaded", function () {
  function recount() {
    var counter = document.querySelector(".quiz-answered");
    if (counter) counter.textContent = document.querySelectorAll("form[data-answered='1']").length;
  }
  function save(form) {
    var state = form.querySelector(".quiz-state");
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (response.ok) {
            if (state) state.textContent = form.dataset.saved;
            form.classList.remove("has-error");
            form.dataset.answered = "1";
            recount();
          } else {
            if (state) state.textContent = (data && data.detail) || form.dataset.failed;
            form.classList.add("has-error");
            if (response.status === 409) window.location.reload();
          }
        });
      })
      .catch(function () {
        if (state) state.textContent = form.dataset.failed;
      });
  }
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.type === "checkbox" && !form.querySelector("input[type=checkbox]:checked")) return;
        save(form);
      });
    });
    var text = form.querySelector("textarea");
    if (text) text.addEventListener("change", function () { save(form); });
  });

  var clock = document.querySelector(".quiz-clock[data-deadline]");
  if (!clock) return;
  var deadline = Date.parse(clock.dataset.deadline);
  var display = clock.querySelector(".quiz-countdown");
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    display.textContent = "(" + minutes + ":" + (seconds < 10 ? "0" : "") + seconds + ")";
    if (left <= 60) clock.classList.add("late");
    if (left === 0) {
      display.textContent = clock.dataset.timeUp;
      window.clearInterval(timer);
      // The server submits what was answered; reloading shows the result.
      window.setTimeout(function () { window.location.reload(); }, 2000);
    }
  }
  var timer = window.setInterval(tick, 1000);
  tick();
});
