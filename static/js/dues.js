// The month's dues sheet: one button marks every member not yet recorded whose dues are known as "paid" (their
// amount stays blank: the service writes what they owe). A member without an income base on file is left for
// the secretary to type what was paid.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-dues-all-paid]");
  if (!button) return;
  button.addEventListener("click", () => {
    document.querySelectorAll("select.dues-status").forEach((select) => {
      if (!select.value && select.dataset.due) select.value = "paid";
    });
  });
});
