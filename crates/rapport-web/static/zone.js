// Proposes the browser's time zone on forms with a `data-zone-from-browser` field (sign-up, the
// account page): the person can still change it; without JavaScript the field simply stays as
// the server rendered it.
(function () {
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll("input[data-zone-from-browser]").forEach(function (input) {
    if (!input.value || input.value === "UTC") input.value = zone;
  });
})();
