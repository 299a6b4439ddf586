"""The text a notebook made from a page adds, per language ("en" is the fallback)."""

STRINGS = {
    "nb": {
        "and": "og",
        "intro": "Denne notatboka er laget av siden [{title}]({url}) i {site}, {date}.",
        "with_outputs": "Tekstene er fra siden, og kodecellene er eksemplene på siden, med resultatene "
                        "siden viser. Kjør cellene ovenfra og ned.",
        "without_outputs": "Tekstene er fra siden, og kodecellene er eksemplene på siden. Resultatene "
                           "er ikke med: kjør cellene ovenfra og ned for å se dem.",
        "shell": "Skallkommandoene (bash) står i celler som begynner med `{magic}`. De kjøres i én og "
                 "samme bash-prosess, slik at `cd` og variabler gjelder videre fra celle til celle, "
                 "som på siden. Den skjulte kodecellen øverst gjør dette mulig, så kjør den først.",
        "left_out": "Siden har også {count} kodeblokker i {languages}. Notatboka bruker {kernel}-"
                    "kjernen, så de står som tekst der de hører hjemme.",
        "left_out_one": "Siden har også én kodeblokk i {languages}. Notatboka bruker {kernel}-kjernen, "
                        "så den står som tekst der den hører hjemme.",
        "skipped_one": "Én celle er merket `{tag}`: den trenger noe som bare finnes på plattformen, for "
                       "eksempel innlogging eller nettverk, så håndboka kjører den ikke når den bygges. "
                       "Du kan kjøre den selv der du har tilgang.",
        "skipped": "{count} celler er merket `{tag}`: de trenger noe som bare finnes på plattformen, "
                   "for eksempel innlogging eller nettverk, så håndboka kjører dem ikke når den bygges. "
                   "Du kan kjøre dem selv der du har tilgang.",
        "skipped_cell": "*Håndboka kjører ikke den neste cellen når den bygges* (`{reason}`).",
        "left_out_cell": "*{language}-koden under er ikke med som kodecelle, fordi notatboka bruker "
                         "{kernel}:*",
        "helper_comment": "Kjører %%bash_session-cellene i én bash-prosess, slik at cd og variabler "
                          "gjelder videre.",
        "admonitions": {"note": "Merk", "info": "Info", "tip": "Tips", "warning": "Advarsel",
                        "danger": "Fare", "example": "Eksempel", "question": "Spørsmål",
                        "abstract": "Sammendrag", "success": "Ferdig", "quote": "Sitat"},
    },
    "sv": {
        "and": "och",
        "intro": "Den här notebooken är skapad från sidan [{title}]({url}) i {site}, {date}.",
        "with_outputs": "Texten kommer från sidan och kodcellerna är exemplen på sidan, med resultaten "
                        "som sidan visar. Kör cellerna uppifrån och ned.",
        "without_outputs": "Texten kommer från sidan och kodcellerna är exemplen på sidan. Resultaten "
                           "finns inte med: kör cellerna uppifrån och ned för att se dem.",
        "shell": "Skalkommandona (bash) står i celler som börjar med `{magic}`. De körs i en och samma "
                 "bash-process, så att `cd` och variabler gäller vidare från cell till cell, precis som "
                 "på sidan. Den dolda kodcellen högst upp gör det möjligt, så kör den först.",
        "left_out": "Sidan har också {count} kodblock i {languages}. Notebooken använder {kernel}-"
                    "kärnan, så de står som text där de hör hemma.",
        "left_out_one": "Sidan har också ett kodblock i {languages}. Notebooken använder {kernel}-kärnan, "
                        "så det står som text där det hör hemma.",
        "skipped_one": "En cell är märkt `{tag}`: den behöver något som bara finns på plattformen, till "
                       "exempel inloggning eller nätverk, så handboken kör den inte när den byggs. Du kan "
                       "köra den själv där du har åtkomst.",
        "skipped": "{count} celler är märkta `{tag}`: de behöver något som bara finns på plattformen, "
                   "till exempel inloggning eller nätverk, så handboken kör dem inte när den byggs. "
                   "Du kan köra dem själv där du har åtkomst.",
        "skipped_cell": "*Handboken kör inte nästa cell när den byggs* (`{reason}`).",
        "left_out_cell": "*{language}-koden nedan är inte med som kodcell, eftersom notebooken använder "
                         "{kernel}:*",
        "helper_comment": "Kör %%bash_session-cellerna i en bash-process, så att cd och variabler "
                          "gäller vidare.",
        "admonitions": {"note": "Obs", "info": "Info", "tip": "Tips", "warning": "Varning",
                        "danger": "Fara", "example": "Exempel", "question": "Fråga",
                        "abstract": "Sammanfattning", "success": "Klart", "quote": "Citat"},
    },
    "en": {
        "and": "and",
        "intro": "This notebook was made from the page [{title}]({url}) in {site}, {date}.",
        "with_outputs": "The text comes from the page and the code cells are the page's examples, with "
                        "the results the page shows. Run the cells from the top.",
        "without_outputs": "The text comes from the page and the code cells are the page's examples. "
                           "The results are not included: run the cells from the top to see them.",
        "shell": "Shell commands (bash) are in cells that start with `{magic}`. They run in one bash "
                 "process, so `cd` and variables carry over from cell to cell, as on the page. The "
                 "hidden code cell at the top makes this work, so run it first.",
        "left_out": "The page also has {count} code blocks in {languages}. This notebook uses the "
                    "{kernel} kernel, so they are included as text where they belong.",
        "left_out_one": "The page also has one code block in {languages}. This notebook uses the {kernel} "
                        "kernel, so it is included as text where it belongs.",
        "skipped_one": "One cell is tagged `{tag}`: it needs something only the platform has, such as a "
                       "login or network access, so the handbook does not run it when it is built. Run "
                       "it yourself where you have access.",
        "skipped": "{count} cells are tagged `{tag}`: they need something only the platform has, such "
                   "as a login or network access, so the handbook does not run them when it is built. "
                   "Run them yourself where you have access.",
        "skipped_cell": "*The handbook does not run the next cell when it is built* (`{reason}`).",
        "left_out_cell": "*The {language} code below is not a code cell, because this notebook uses "
                         "{kernel}:*",
        "helper_comment": "Runs the %%bash_session cells in one bash process, so cd and variables "
                          "carry over.",
        "admonitions": {"note": "Note", "info": "Info", "tip": "Tip", "warning": "Warning",
                        "danger": "Danger", "example": "Example", "question": "Question",
                        "abstract": "Summary", "success": "Success", "quote": "Quote"},
    },
}
