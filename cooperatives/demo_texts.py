"""Curated Polish sentences of the demo offers: per sub-category, what the offer includes, and the closing lines.

An offer's description is assembled from whole sentences only (the sub-category's detail, one sentence of its
sector's `about`, where it works, a closing), so every demo text reads as written by a person and no word is ever
cut or glued (tests/cooperatives/test_demo_texts.py checks each word against these sentences).
"""

OFFER_DETAILS: dict[str, tuple[str, ...]] = {
    "catering": (
        "Przygotowujemy zestawy obiadowe, przekąski i napoje, a na miejscu zapewniamy obsługę kelnerską.",
        "Menu ustalamy z zamawiającym, uwzględniając diety wegetariańskie i bezglutenowe.",
    ),
    "stolowki": (
        "Gotujemy codziennie świeże obiady według jadłospisu uzgodnionego z dietetykiem.",
        "Posiłki dowozimy w termosach, które zapewniają właściwą temperaturę.",
    ),
    "wypieki": (
        "Wypiekamy na zamówienie, z naturalnych składników i bez konserwantów.",
        "Przyjmujemy zamówienia na uroczystości rodzinne, spotkania i kiermasze.",
    ),
    "sprzatanie-obiektow": (
        "Sprzątamy po godzinach pracy biura, zgodnie z ustalonym harmonogramem.",
        "Pracujemy własnym sprzętem i środkami czystości z atestami.",
    ),
    "pralnia": (
        "Odbieramy pranie od klienta i odwozimy je czyste, wyprasowane i złożone.",
        "Pierzemy w temperaturze dobranej do tkaniny, także pościel szpitalną i hotelową.",
    ),
    "utrzymanie-czystosci": (
        "Dbamy o porządek na chodnikach, parkingach i placach zabaw.",
        "Po remoncie usuwamy pył, resztki farby i zabrudzenia z okien i podłóg.",
    ),
    "remonty": (
        "Przed rozpoczęciem prac przygotowujemy bezpłatny kosztorys.",
        "Zabezpieczamy meble i podłogi, a po pracy zostawiamy porządek.",
    ),
    "prace-budowlane": (
        "Wykonujemy prace zgodnie z projektem i odbieramy je razem z inspektorem nadzoru.",
        "Mamy doświadczenie w pracach dla szkół, urzędów i wspólnot mieszkaniowych.",
    ),
    "instalacje": (
        "Naprawy i przeglądy wykonują pracownicy z uprawnieniami.",
        "Przyjeżdżamy także do pilnych awarii, w ciągu jednego dnia roboczego.",
    ),
    "pielegnacja-zieleni": (
        "Kosimy, przycinamy i wywozimy odpady zielone w ustalonych terminach.",
        "Prace planujemy z zarządcą terenu na cały sezon.",
    ),
    "ogrody": (
        "Doradzamy w doborze roślin do miejsca i budżetu.",
        "Zakładamy trawniki z siewu i z rolki oraz rabaty kwiatowe.",
    ),
    "odsniezanie": (
        "Odśnieżamy i posypujemy chodniki od wczesnych godzin porannych.",
        "Zapewniamy dyżur przez cały sezon zimowy.",
    ),
    "opieka-seniorzy": (
        "Pomagamy w codziennych czynnościach, zakupach i wizytach u lekarza.",
        "Opiekunki mają przygotowanie do pracy z osobami starszymi.",
    ),
    "opieka-dzieci": (
        "Dzieci mają zajęcia ruchowe, plastyczne i muzyczne oraz ciepły posiłek.",
        "Grupy są małe, a opiekunki mają kwalifikacje pedagogiczne.",
    ),
    "asystencja": (
        "Asystenci pomagają w dojazdach, załatwianiu spraw urzędowych i zakupach.",
        "Zakres pomocy ustalamy indywidualnie z każdą osobą.",
    ),
    "szkolenia": (
        "Zajęcia prowadzą doświadczeni trenerzy, a uczestnicy otrzymują zaświadczenia.",
        "Program dopasowujemy do potrzeb grupy i zamawiającego.",
    ),
    "przedszkola": (
        "Dzieci mają opiekę od rana do popołudnia, zajęcia dodatkowe i cztery posiłki.",
        "Pracujemy w małych grupach, w przyjaznych i bezpiecznych salach.",
    ),
    "zajecia-dodatkowe": (
        "Zajęcia odbywają się po lekcjach, w grupach do dziesięciu osób.",
        "Prowadzimy je w naszej sali lub w szkole zamawiającego.",
    ),
    "rekodzielo-artystyczne": (
        "Każdy wyrób powstaje ręcznie, z naturalnych materiałów.",
        "Przygotowujemy krótkie serie z logo firmy lub instytucji.",
    ),
    "krawiectwo": (
        "Szyjemy według wymiarów i wzorów dostarczonych przez zamawiającego.",
        "Przyjmujemy zarówno pojedyncze zamówienia, jak i większe serie.",
    ),
    "stolarstwo": (
        "Pracujemy w drewnie z lokalnych tartaków.",
        "Każdy wyrób możemy dopasować do wymiarów i koloru wnętrza.",
    ),
    "noclegi": (
        "Mamy pokoje dwu- i czteroosobowe z łazienkami oraz salę na spotkania.",
        "Dla grup przygotowujemy śniadania i obiadokolacje.",
    ),
    "wycieczki": (
        "Programy wycieczek układamy razem z nauczycielami.",
        "Zapewniamy przewodnika, ubezpieczenie i posiłki.",
    ),
    "agroturystyka": (
        "Goście poznają życie gospodarstwa, zwierzęta i dawne rzemiosła.",
        "Na warsztatach dzieci pieką chleb i robią masło.",
    ),
    "druk": (
        "Drukujemy szybko, także małe nakłady, na papierze z recyklingu.",
        "Przed drukiem przesyłamy projekt do akceptacji.",
    ),
    "projektowanie": (
        "Projektujemy materiały zgodnie z zasadami dostępności.",
        "Przygotowujemy pliki do druku i wersje do publikacji w internecie.",
    ),
    "gadzety": (
        "Nadruki wykonujemy na odzieży, torbach i kubkach.",
        "Doradzamy w wyborze gadżetów odpowiednich do budżetu.",
    ),
    "przewoz-osob": (
        "Jeździmy busami przystosowanymi do przewozu osób na wózkach.",
        "Kierowcy mają doświadczenie w przewozie dzieci i osób starszych.",
    ),
    "przeprowadzki": (
        "Pakujemy, przewozimy i wnosimy meble, także z demontażem i montażem.",
        "Odbieramy zużyte meble i sprzęt, a potem przekazujemy je do recyklingu.",
    ),
    "ksiegowosc": (
        "Prowadzimy pełną księgowość i sprawozdawczość.",
        "Pomagamy w rozliczaniu dotacji i projektów.",
    ),
    "strony-www": (
        "Tworzymy strony, które spełniają wymagania ustawy o dostępności cyfrowej.",
        "Zapewniamy też stałą opiekę techniczną i kopie zapasowe.",
    ),
    "obsluga-biura": (
        "Skanujemy i porządkujemy dokumenty, zachowując poufność danych.",
        "Pracownicy są przeszkoleni z ochrony danych osobowych.",
    ),
    "wydarzenia": (
        "Zajmujemy się całą organizacją: sprzętem, programem, obsługą i sprzątaniem.",
        "Mamy namioty, nagłośnienie i stoły dla stu gości.",
    ),
    "animacja": (
        "Animatorzy prowadzą gry, zabawy ruchowe i zajęcia plastyczne.",
        "Program dopasowujemy do wieku dzieci i liczby uczestników.",
    ),
    "kultura": (
        "Warsztaty prowadzą aktorzy i muzycy z doświadczeniem pedagogicznym.",
        "Występy przygotowujemy na święta, festyny i uroczystości szkolne.",
    ),
    "uprawa": (
        "Uprawiamy bez chemicznych środków ochrony roślin.",
        "Sprzedajemy bezpośrednio oraz dostarczamy do sklepów i stołówek.",
    ),
    "przetworstwo": (
        "Przetwory robimy z owoców i warzyw z okolicznych gospodarstw.",
        "Słoiki pakujemy w zestawy upominkowe na święta.",
    ),
    "inne-uslugi": (
        "Wykonujemy prace porządkowe i pomocnicze na zlecenie gmin i firm.",
        "Zakres i harmonogram prac ustalamy z zamawiającym.",
    ),
}

OFFER_CLOSINGS: tuple[str, ...] = (
    "Zapraszamy do kontaktu i zapytań ofertowych.",
    "Chętnie przygotujemy ofertę dla Państwa instytucji.",
    "Zapytania prosimy kierować przez portal lub telefonicznie.",
    "Wycenę przygotujemy po krótkiej rozmowie.",
    "Współpracujemy z samorządami, firmami i organizacjami pozarządowymi.",
)
