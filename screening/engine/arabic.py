"""Arabic-script names (Arabic, Persian, Pashto, Urdu spellings) read as Latin name tokens.

Arabic script leaves out short vowels, so a letter-by-letter transliteration ("mhmd") is only a
consonant outline of the Latin spelling a list uses ("Muhammad"). ``arabic_tokens`` reads one
word in three steps:

1. the word is normalised: vowel marks and tatweel removed, the hamza carriers and the Persian
   letter forms (ی, ک, ھ, ۀ) written as their plain Arabic letters;
2. a hand-written table of common name parts (``NAMES``: given names, the divine names that
   follow "Abd", particles such as bin, ibn, abu, ould, and common nisbas) gives the Latin
   spelling of a known word; the article "al-", the prefix "Abd" and the suffixes "-allah",
   "-al-Din" and "-zada" are split off first when the word is not in the table as a whole;
3. any other word is transliterated letter by letter (``romanise``): long vowels become
   vowels (و between consonants is "u", ي is "i", ا is "a"), and the word stays marked as
   abjad so that the comparison matches it with Latin spellings by its consonant outline.

The table holds name parts only (no list entries), written from common romanisation practice.
``persian_reading`` gives the reading with ث and ذ as Persian and Urdu say them (s, z); how the
other letters are written in Latin is learned (``transliteration``).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Vowel marks (fathatan .. sukun, superscript alef) and tatweel carry no letter.
_MARKS = re.compile("[\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")
_LETTER_FORMS = str.maketrans(
    {
        "\u0623": "\u0627",  # أ alef with hamza above
        "\u0625": "\u0627",  # إ alef with hamza below
        "\u0622": "\u0627",  # آ alef with madda
        "\u0671": "\u0627",  # ٱ alef wasla
        "\u06cc": "\u064a",  # ی Persian ye
        "\u06d2": "\u064a",  # ے Urdu ye barree
        "\u06a9": "\u0643",  # ک Persian kaf
        "\u06be": "\u0647",  # ھ heh doachashmee
        "\u06c1": "\u0647",  # ہ heh goal
        "\u06c0": "\u0629",  # ۀ heh with yeh above (Persian ezafe), read as ta marbuta
        "\u0624": "\u0648",  # ؤ waw with hamza
        "\u0626": "\u064a",  # ئ ya with hamza
    }
)
_HAMZA = "\u0621"

ARTICLE = "\u0627\u0644"  # ال
ABD = "\u0639\u0628\u062f"  # عبد
ALLAH = "\u0627\u0644\u0644\u0647"  # الله
ABU = "\u0627\u0628\u0648"  # ابو (after normalisation)
AL_DIN = "\u0627\u0644\u062f\u064a\u0646"  # الدين (after normalisation)
ZADA = "\u0632\u0627\u062f\u0647"  # زاده

# Letter by letter, for words the table does not know. Long vowels are handled in ``romanise``.
_LETTERS: dict[str, str] = {
    "\u0627": "a",  # ا
    "\u0628": "b",
    "\u062a": "t",
    "\u062b": "th",
    "\u062c": "j",
    "\u062d": "h",
    "\u062e": "kh",
    "\u062f": "d",
    "\u0630": "dh",
    "\u0631": "r",
    "\u0632": "z",
    "\u0633": "s",
    "\u0634": "sh",
    "\u0635": "s",
    "\u0636": "d",
    "\u0637": "t",
    "\u0638": "z",  # ظ: z in most romanisations (Nazim, Hafiz), Persian and Urdu alike
    "\u0639": "",  # ع: usually unwritten or a vowel in Latin spellings (Ali, Umar, Iraq)
    "\u063a": "gh",
    "\u0641": "f",
    "\u0642": "q",
    "\u0643": "k",
    "\u0644": "l",
    "\u0645": "m",
    "\u0646": "n",
    "\u0647": "h",
    "\u0629": "a",  # ة ta marbuta: Fatima, Hamza
    "\u0649": "a",  # ى alef maksura: Musa, Yahya
    "\u067e": "p",  # پ
    "\u0686": "ch",  # چ
    "\u0698": "zh",  # ژ
    "\u06af": "g",  # گ
    "\u0681": "z",  # ځ Pashto dze (Zadran)
    "\u0685": "s",  # څ Pashto tse
    "\u0689": "d",  # ډ
    "\u067c": "t",  # ټ
    "\u0693": "r",  # ړ
    "\u069a": "sh",  # ښ
    "\u0696": "zh",  # ږ
    "\u06bc": "n",  # ڼ
    "\u0679": "t",  # ٹ Urdu
    "\u0688": "d",  # ڈ Urdu
    "\u0691": "r",  # ڑ Urdu
    "\u06ba": "n",  # ں Urdu
    "\u06cd": "i",  # ۍ
    "\u06d0": "e",  # ې
}
_WAW = "\u0648"
_YA = "\u064a"
_ALEF = "\u0627"
_AIN = "\u0639"

# Common name parts, written in Arabic script as they usually appear, with the Latin spelling
# most lists use (spelling families then fold the variants: Mohamed/Muhammad, Hussein/Husayn).
_NAME_TABLE = """
محمد muhammad|أحمد ahmad|محمود mahmud|حامد hamid|حميد hamid|مصطفى mustafa|علي ali|عمر umar|عثمان uthman
خالد khalid|يوسف yusuf|إبراهيم ibrahim|ابراهيم ibrahim|إسماعيل ismail|حسن hasan|حسين husayn|حسني husni
أسامة usama|سعيد said|سعد saad|صالح salih|صلاح salah|ناصر nasir|نصر nasr|منصور mansur|جعفر jafar
قاسم qasim|عباس abbas|يحيى yahya|زكريا zakariya|موسى musa|عيسى isa|داود dawud|سليمان sulayman
سلمان salman|طارق tariq|زياد ziyad|زيد zayd|فيصل faysal|فهد fahd|سلطان sultan|ماجد majid|مجيد majid
رشيد rashid|راشد rashid|سالم salim|سليم salim|عادل adil|جمال jamal|كمال kamal|نور nur|نوري nuri
فؤاد fuad|عماد imad|عصام isam|هشام hisham|وليد walid|خليل khalil|جميل jamil|كريم karim|رحيم rahim
رحمن rahman|عزيز aziz|عبيد ubayd|عبيدة ubayda|حمزة hamza|طلال talal|بلال bilal|هلال hilal|جلال jalal
نبيل nabil|نجيب najib|ياسر yasir|ياسين yasin|أيمن ayman|أنور anwar|أنس anas|أمين amin|أمير amir
إياد iyad|رياض riyad|رضا rida|مهدي mahdi|هادي hadi|حيدر haydar|جواد jawad|كاظم kazim|باقر baqir
رضوان ridwan|سيف sayf|دين din|شريف sharif|عارف arif|عاطف atif|عامر amir|عمار ammar|عمرو amr
مروان marwan|مراد murad|منير munir|مازن mazin|مالك malik|معاذ muadh|مصعب musab|مسلم muslim
مبارك mubarak|مختار mukhtar|مرتضى murtada|حبيب habib|حافظ hafiz|حاتم hatim|حازم hazim|حسام husam
حمد hamad|حمدي hamdi|حمود hamud|خضر khidr|خليفة khalifa|خميس khamis|رامي rami|رائد raid|ربيع rabi
رفيق rafiq|رمضان ramadan|زهير zuhayr|زين zayn|سامي sami|سامر samir|سمير samir|سعود saud|سفيان sufyan
سهيل suhayl|شاكر shakir|شفيق shafiq|شهاب shihab|صادق sadiq|صبري sabri|صدام saddam|ضياء ziya|ضيا ziya
طاهر tahir|طه taha|عاصم asim|عبود abbud|عدنان adnan|عزت izzat|عزام azzam|عقيل aqil|علاء ala
عوض awad|غازي ghazi|غسان ghassan|فادي fadi|فارس faris|فاروق faruq|فاضل fadil|فتحي fathi|فرج faraj
فريد farid|فلاح falah|فضل fazl|قيس qays|لؤي luay|ماهر mahir|محسن muhsin|مسعود masud|معتز mutazz
مهند muhannad|نادر nadir|ناجي naji|نايف nayif|نزار nizar|نعمان numan|نواف nawaf|هاني hani|هاشم hashim
هيثم haytham|وائل wail|وسام wisam|يعقوب yaqub|يونس yunus|يزيد yazid|آدم adam|إدريس idris|إلياس ilyas
الياس ilyas|أكرم akram|أسعد asad|أسد asad|أشرف ashraf|أيوب ayyub|بكر bakr|بشير bashir|بشار bashar
بدر badr|توفيق tawfiq|ثامر thamir|جابر jabir|جاسم jasim|جبريل jibril|حارث harith|حكيم hakim|زكي zaki
سراج siraj|شعبان shaban|صابر sabir|صفوان safwan|عبدو abdu|عمران imran|غالب ghalib|لطفي lutfi
مجدي majdi|نعيم naim|هارون harun|وحيد wahid|عزالدين izz din|نظام nizam|نظمي nazmi|عظيم azim|عالم alam
قادر qadir|ملك malik|سلام salam|باسط basit|غني ghani|وهاب wahhab|رزاق razzaq|منعم munim|جليل jalil
لطيف latif|فتاح fattah|حق haq|رؤوف rauf|ستار sattar|صمد samad|خالق khaliq|واحد wahid|جبار jabbar
قدوس quddus|ودود wadud|حليم halim|غفور ghafur|غفار ghaffar|شكور shakur|باري bari|مطلب muttalib
حي hayy|قيوم qayyum|مجيب mujib|معين muin|سميع sami|بصير basir|وكيل wakil|مؤمن mumin|رب rab
فاطمة fatima|عائشة aisha|خديجة khadija|زينب zaynab|مريم maryam|آمنة amina|أمينة amina|سارة sara
ليلى layla|هند hind|حليمة halima|رقية ruqayya|سمية sumayya|أسماء asma|هدى huda|منى muna|سعاد suad
وفاء wafa|نادية nadia|رشا rasha|ريم rim|سلمى salma|نسرين nasrin|حياة hayat|صفية safiya|لبنى lubna
بن bin|ابن ibn|بنت bint|أبو abu|ابو abu|أم umm|ام umm|ولد ould|آل al|ال al|و wa|في fi|ذو dhu
خان khan|جان jan|گل gul|شاه shah|زاده zada|آخوند akhund|ملا mullah|مولوي mawlawi|مولوی mawlawi
حاجي haji|الحاج alhaji|قاري qari|شيخ shaykh|سيد sayed|الله allah|عبد abd|آغا agha|اغا agha|مير mir|ميرزا mirza
رحمت rahmat|غلام ghulam|دوست dost|شير sher|محب muhib|يار yar|ولي wali|نقيب naqib|هداية hidayat
عزت izzat|عصمت ismat|نصرت nusrat|حضرت hazrat|سرور sarwar|صديق siddiq|عبدالله abd allah
قحطاني qahtani|عتيبي utaybi|شمري shammari|دوسري dawsari|مطيري mutayri|عنزي anazi|غامدي ghamdi
زهراني zahrani|حربي harbi|تميمي tamimi|عراقي iraqi|مصري masri|سوري suri|يمني yamani|ليبي libi
تونسي tunisi|جزائري jazairi|مغربي maghribi|سوداني sudani|صومالي sumali|أفغاني afghani
باكستاني pakistani|فلسطيني filastini|أردني urduni|لبناني lubnani|كويتي kuwaiti|قطري qatari
بغدادي baghdadi|موصلي mawsili|حلبي halabi|هاشمي hashimi|حسيني husayni|قرشي qurashi|أنصاري ansari
انصاري ansari|شامي shami|كردي kurdi|تركي turki|بلوشي baluchi|سعدي saadi|زرقاوي zarqawi|بصري basri
"""


def normalise_word(word: str) -> str:
    """One Arabic-script word without vowel marks, with hamza carriers and Persian forms unified."""
    return _MARKS.sub("", word).translate(_LETTER_FORMS).replace(_HAMZA, "")


def _fold_ya(word: str) -> str:
    # Alef maksura and ya are written for each other (Egyptian "على" is Ali): look names up without the difference.
    return word.replace("\u0649", _YA)


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _NAME_TABLE.strip().splitlines():
        for item in line.split("|"):
            arabic, latin = item.strip().split(" ", 1)
            table.setdefault(_fold_ya(normalise_word(arabic)), latin)
    return table


NAMES: dict[str, str] = _table()


def persian_reading(reading: str) -> str | None:
    """A romanised word with ث and ذ (th, dh) as Persian and Urdu say them (s, z), if it has either."""
    if "th" not in reading and "dh" not in reading:
        return None
    return reading.replace("th", "s").replace("dh", "z")


def romanise(word: str) -> str:
    """Letter-by-letter Latin of a normalised word: consonants, long vowels as a/i/u."""
    out: list[str] = []
    last = len(word) - 1
    for i, ch in enumerate(word):
        following = word[i + 1] if i < last else ""
        if ch == _WAW:
            # و is a consonant at the start and before a vowel letter (Walid, Nawaf), else "u".
            out.append("w" if i == 0 or following in (_ALEF, _YA) else "u")
        elif ch == _YA:
            out.append("y" if i == 0 or following in (_ALEF, _WAW) else "i")
        elif ch == _AIN:
            # ع opens a name with a vowel in Latin spellings (Ali, Umar, Awad); inside a word it is unwritten.
            out.append("a" if i == 0 else "")
        elif ch == _ALEF and i == 0 and following == "\u0633":
            # Initial alef before s is usually i/e (Ismail, Islam, Ishaq): keep it a vowel.
            out.append("i")
        else:
            out.append(_LETTERS.get(ch, ch))
    return "".join(out)


@lru_cache(maxsize=65536)
def arabic_tokens(word: str) -> tuple[tuple[str, bool], ...]:
    """Latin tokens of one Arabic-script word, each with True when the table knew it."""
    word = normalise_word(word)
    if not word:
        return ()
    known = NAMES.get(_fold_ya(word))
    if known is not None:
        return tuple((part, True) for part in known.split())
    if len(word) > 4 and word.endswith(ALLAH):
        # "نصرالله", "عبيدالله": a name joined to "allah".
        return (*arabic_tokens(word[:-4]), ("allah", True))
    if len(word) > 6 and word.endswith(AL_DIN):
        # "نورالدین", "صلاحالدين": a name joined to "al-Din" (read as name + din, like "Nuruddin").
        return (*arabic_tokens(word[:-5]), ("din", True))
    if len(word) > 6 and word.endswith(ZADA):
        # "آخوندزاده": a name joined to "zada" (son of), like "Akhundzada".
        return (*arabic_tokens(word[:-4]), ("zada", True))
    if len(word) > 3 and word.startswith(ABD):
        # "عبدالرحمن", "عبدالعزيز": the servant-of prefix joined to the divine name.
        return (("abd", True), *arabic_tokens(word[3:]))
    if len(word) > 4 and word.startswith(ABU):
        return (("abu", True), *arabic_tokens(word[3:]))
    if len(word) > 3 and word.startswith(ARTICLE):
        return (("al", True), *arabic_tokens(word[2:]))
    return ((romanise(word), False),)
