// Progressive enhancements; every page works without this file.
(function () {
  // Read-aloud (MIIT 适老化 voice reading) through the phone's own speech engine: the button
  // stays hidden where the browser has no speech synthesis.
  var button = document.querySelector(".readaloud");
  if (button && "speechSynthesis" in window) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var synth = window.speechSynthesis;
      if (synth.speaking) { synth.cancel(); button.textContent = label; return; }
      var main = document.getElementById("main");
      var utterance = new SpeechSynthesisUtterance(main ? main.innerText : "");
      utterance.lang = document.documentElement.lang || "zh-CN";
      utterance.rate = 0.9;
      utterance.onend = function () { button.textContent = label; };
      button.textContent = button.getAttribute("data-stop");
      synth.speak(utterance);
    });
  }
  // Print buttons (the browser's own menu prints too, without script).
  var prints = document.querySelectorAll("button.print");
  for (var i = 0; i < prints.length; i++) {
    prints[i].hidden = false;
    prints[i].addEventListener("click", function () { window.print(); });
  }
})();
