// Progressive enhancements; every page works without this file. Buttons that need it are
// rendered `hidden` (and `[hidden]` wins over every display rule in cunban.css): each is shown
// here only when the browser can do what it offers.
(function () {
  // The language a piece of text is in: the closest `lang` (Chinese data is marked zh-Hans on an
  // English page, portal/web/templatetags/content_lang.py); speech engines know zh-CN.
  function speechLang(element) {
    var marked = element.closest("[lang]");
    var lang = (marked && marked.getAttribute("lang")) || document.documentElement.lang || "zh-CN";
    return /^zh/i.test(lang) ? "zh-CN" : lang;
  }

  function shown(element) {
    if (element.closest("[hidden],[aria-hidden='true'],script,style,noscript,template")) { return false; }
    return element.getClientRects().length > 0;
  }

  // The page's text in reading order, cut where the language changes.
  function segments(root) {
    var result = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var text = node.data.replace(/\s+/g, " ").trim();
      var parent = node.parentElement;
      if (!text || !parent || !shown(parent)) { continue; }
      var lang = speechLang(parent);
      var last = result[result.length - 1];
      if (last && last.lang === lang) { last.text += " " + text; } else { result.push({ lang: lang, text: text }); }
    }
    return result;
  }

  function voiceFor(synth, lang) {
    var voices = synth.getVoices ? synth.getVoices() : [];
    var wanted = lang.toLowerCase().replace("_", "-");
    var primary = wanted.split("-")[0];
    var near = null;
    for (var i = 0; i < voices.length; i++) {
      var have = (voices[i].lang || "").toLowerCase().replace("_", "-");
      if (have === wanted) { return voices[i]; }
      if (!near && have.split("-")[0] === primary) { near = voices[i]; }
    }
    return near;
  }

  // Read-aloud (MIIT 适老化 voice reading) through the phone's own speech engine, each piece
  // of text with a voice of its own language.
  var button = document.querySelector(".readaloud");
  if (button && window.speechSynthesis && window.SpeechSynthesisUtterance) {
    var label = button.textContent;
    var synth = window.speechSynthesis;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (synth.speaking || synth.pending) { synth.cancel(); button.textContent = label; return; }
      var main = document.getElementById("main") || document.body;
      var parts = segments(main);
      if (!parts.length) { return; }
      button.textContent = button.getAttribute("data-stop");
      parts.forEach(function (part, index) {
        var utterance = new window.SpeechSynthesisUtterance(part.text);
        utterance.lang = part.lang;
        var voice = voiceFor(synth, part.lang);
        if (voice) { utterance.voice = voice; }
        utterance.rate = 0.9;
        if (index === parts.length - 1) { utterance.onend = function () { button.textContent = label; }; }
        synth.speak(utterance);
      });
    });
  }

  // Print buttons (the browser's own menu prints too, without script).
  if (typeof window.print === "function") {
    var prints = document.querySelectorAll("button.print");
    for (var i = 0; i < prints.length; i++) {
      prints[i].hidden = false;
      prints[i].addEventListener("click", function () { window.print(); });
    }
  }
})();
