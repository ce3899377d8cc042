// The month's dues sheet: one button marks every member not yet recorded as "paid" (their amount stays blank:
// the service writes what they owe).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-dues-all-paid]");
  if (!button) return;
  button.addEventListener("click", () => {
    document.querySelectorAll("select.dues-status").forEach((select) => {
      if (!select.value) select.value = "paid";
    });
  });
});
