/* telnetmail transcripts: the copy button and the telnet window switch.
 *
 * The page already holds everything: the client input to copy (in the copy
 * button's data-client-input) and the window view (a hidden <pre>). This
 * script only wires the buttons and then shows the toolbar, so without it
 * the page shows the dialogue and no dead buttons.
 */
"use strict";

(() => {
  const STATUS_DELAY_MS = 2000;

  // Without a clipboard API (older browsers, insecure origins) fall back to
  // the selection-based copy.
  const copyWithSelection = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    return copied;
  };

  const copyText = async (text) => {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (error) {
        // Permission refused: try the old way below.
      }
    }
    return copyWithSelection(text);
  };

  const wireCopy = (button, status) => {
    let timer = null;
    button.addEventListener("click", async () => {
      const copied = await copyText(button.dataset.clientInput);
      status.textContent = copied
        ? button.dataset.doneLabel
        : button.dataset.failedLabel;
      clearTimeout(timer);
      timer = setTimeout(() => {
        status.textContent = "";
      }, STATUS_DELAY_MS);
    });
  };

  const wireSwitch = (button, dialogue, window_) => {
    button.addEventListener("click", () => {
      const showWindow = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", String(showWindow));
      dialogue.hidden = showWindow;
      window_.hidden = !showWindow;
    });
  };

  const setUp = (block) => {
    const part = (selector) => block.querySelector(`:scope > ${selector}`);
    const toolbar = part(".transcript-toolbar");
    const dialogue = part(".transcript-dialogue");
    const window_ = part(".transcript-window");
    if (!toolbar || !dialogue || !window_) {
      return;
    }
    wireCopy(
      toolbar.querySelector(".transcript-copy"),
      toolbar.querySelector(".transcript-status"),
    );
    wireSwitch(toolbar.querySelector(".transcript-switch"), dialogue, window_);
    toolbar.hidden = false;
  };

  const setUpAll = () => document.querySelectorAll("div.transcript").forEach(setUp);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
