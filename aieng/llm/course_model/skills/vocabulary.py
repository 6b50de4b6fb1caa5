"""The everyday vocabulary a small model knows: topics and what kind of thing a word names.

``DOMAINS`` lists common subject areas, each as the names a label or a scope may
give it ("auto car vehicle") and the words that tend to appear in text about it
("engine brake tyre"). Classification reads a label's cues from it, the scope
policy widens a stated scope with it and tells which other subject a request is
about. ``KINDS`` is a small is-a table ("a centrifuge is equipment"), so that a
question about a specific thing can be answered by a passage that names its
general kind. Nothing here is about any one prompt: it is general knowledge of
the sort a small language model picks up.

Example:
    >>> "engine" in DOMAINS[0][1]
    True
"""

from __future__ import annotations

# (names a label or scope may use, words that signal the subject)
DOMAINS: tuple[tuple[str, str], ...] = (
    ("car cars auto automotive vehicle vehicles motor motoring",
     "car engine tire tyre brake brakes oil vehicle drive driving mileage dealer windshield "
     "bumper collision crash fender garage mechanic gearbox transmission parking highway"),
    ("cycling bike bikes bicycle bicycles",
     "bike bicycle cycling cyclist tyre tire tube chain pedal saddle gear gears brake brakes "
     "wheel spokes derailleur helmet puncture handlebar frame"),
    ("plumbing plumber",
     "pipe pipes leak leaking drain drains sink toilet tap faucet water clog clogged shower "
     "boiler sewer gurgle drip dripping flush"),
    ("electrical electricity electrician wiring",
     "power outlet outlets socket sockets plug switch light lights lighting bulb breaker fuse "
     "wiring wire spark sparks voltage"),
    ("hvac heating cooling ventilation air-conditioning",
     "radiator boiler furnace thermostat heater heat heating cold warm hot air conditioning "
     "vent vents fan duct ac"),
    ("pests pest infestation pest-control",
     "insect insects bug bugs mouse mice rat rats rodent rodents cockroach cockroaches termite "
     "termites ant ants wasp wasps moth moths bedbug bedbugs flea fleas droppings nest"),
    ("dairy", "milk cheese yogurt yoghurt butter cream cheddar mozzarella"),
    ("bakery baked", "bread loaf rolls croissant cake cakes pastry bagel muffin baguette"),
    ("produce greengrocer", "fruit fruits vegetable vegetables apple apples banana bananas "
     "lettuce tomato tomatoes onion onions potato potatoes carrot carrots"),
    ("frozen freezer", "frozen ice cream peas fries"),
    ("design ux ui visual branding",
     "colour color colours colors font fonts logo layout palette brand mockup icon icons "
     "typography spacing figma wireframe"),
    ("frontend front-end client-side",
     "button page css html javascript react browser render layout component"),
    ("backend back-end server-side",
     "api server database endpoint 500 query timeout microservice queue"),
    ("home house household property homeowner dwelling housing residential",
     "house roof wall walls window door kitchen basement attic garage furniture flood fire "
     "burglary plumbing pipe leak apartment flat condo rent mortgage chimney floor ceiling"),
    ("real estate realty property lease leasing rental tenancy housing",
     "rent lease tenant tenants apartment flat deposit eviction mortgage property buy sell "
     "listing realtor agent condo house zoning"),
    ("health medical medicine healthcare clinical wellness",
     "doctor symptom symptoms disease hospital medicine patient vaccine diet sleep pain fever "
     "nurse clinic prescription surgery injury illness sick therapy diagnosis blood allergy"),
    ("travel trip trips tourism vacation holiday",
     "flight hotel trip booking airport vacation passport visa luggage baggage taxi train "
     "cruise tour tourist itinerary border customs embassy abroad"),
    ("visa immigration consular",
     "visa passport embassy residence permit border entry stay application "
     "immigration citizenship biometrics"),
    ("flight flights airline aviation air",
     "flight plane airline airport boarding gate layover seat pilot departure arrival "
     "baggage luggage check-in"),
    ("accommodation lodging hotel hotels stay",
     "hotel room hostel bed breakfast check-in checkout reservation suite apartment airbnb"),
    ("insurance coverage policy claims",
     "policy claim premium coverage deductible accident damage insurer covered underwriting"),
    ("employment work job jobs workplace labor labour career",
     "job work employer employee boss manager coworker colleague salary wage wages hired "
     "fired dismissed promotion shift overtime contract resign resignation office payroll "
     "discrimination harassment termination"),
    ("family domestic marriage divorce",
     "divorce custody child children adoption marriage spouse husband wife parent alimony "
     "wedding separation guardianship"),
    ("criminal crime police",
     "arrest arrested charge charged police crime theft assault court jail prison bail "
     "conviction record lawyer trial dui warrant"),
    ("legal law lawyer attorney",
     "contract lawsuit law agreement clause liability compliance gdpr court sue judge "
     "attorney lawyer legal rights dispute settlement"),
    ("tax taxes taxation",
     "tax taxes irs return deduction refund income vat filing audit withholding"),
    ("billing payment payments invoice invoices charges",
     "invoice charge charged refund payment card bill price fee subscription money receipt "
     "overcharged"),
    ("refund refunds reimbursement",
     "refund money back return reimburse reimbursement chargeback"),
    ("shipping delivery shipment logistics",
     "delivery package parcel tracking courier arrive shipped carrier address dispatch "
     "postage"),
    ("order orders purchase purchases",
     "delivery package shipped tracking arrive item purchase bought cart checkout"),
    ("account accounts login access authentication",
     "login password sign profile username email locked access reset account 2fa "
     "verification"),
    ("security cybersecurity infosec breach",
     "breach hack hacked phishing malware password leak vulnerability suspicious unauthorized "
     "credentials intrusion attacker exploit stolen ransomware virus compromised"),
    ("outage downtime incident unavailable",
     "down outage unavailable unreachable offline error timeout 500 503 crash crashed "
     "failing dead"),
    ("degradation performance latency slowness degraded",
     "slow slowness latency lag laggy sluggish timeout timeouts intermittent partial degraded "
     "delay spikes throughput"),
    ("maintenance upkeep servicing",
     "planned scheduled upgrade window patch patching migration maintenance reboot "
     "servicing inspection"),
    ("technical tech technology it",
     "software hardware computer app phone error bug crash install server code update "
     "browser screen laptop network"),
    ("software app application apps",
     "app application install update crash bug license version program excel windows "
     "macos error plugin subscription saas tool"),
    ("hardware device devices equipment",
     "monitor keyboard mouse screen laptop printer cable battery charger disk fan device "
     "port usb headset webcam dock"),
    ("network networking connectivity internet",
     "wifi wi-fi internet vpn connection connect router ethernet dns latency offline "
     "bandwidth firewall proxy"),
    ("programming coding code development developer python javascript",
     "code function error bug library install variable loop class script debug api compile "
     "syntax python javascript java pip import github repository"),
    ("data database analytics",
     "database sql query table data dashboard report analytics warehouse pipeline etl"),
    ("education school schools academic teaching learning",
     "school student students teacher exam class course homework university grade grades "
     "lesson classroom semester tuition enrollment"),
    ("absence attendance absent leave",
     "absent absence sick ill miss missing appointment doctor fever flu cold tomorrow "
     "excused attend attendance"),
    ("enrollment enrolment admission admissions registration",
     "enroll enrol enrollment registration register admission apply application place "
     "waitlist transfer join new"),
    ("grade grades grading marks",
     "grade grades mark marks score report exam test result assessment"),
    ("complaint complaints grievance",
     "complain complaint unhappy unacceptable disappointed angry rude upset poor terrible"),
    ("hr human resources people personnel",
     "vacation leave salary payroll benefit benefits hiring employee manager pto holiday "
     "onboarding"),
    ("economy economic economics macroeconomics",
     "inflation interest rates central bank gdp recession unemployment growth prices trade "
     "tariff tariffs currency deficit"),
    ("finance financial money accounting",
     "money bank invoice expense budget stock market interest loan tax revenue profit "
     "accounting"),
    ("banking bank",
     "bank account transfer card balance loan mortgage deposit withdraw atm overdraft"),
    ("investing investment investments stocks markets",
     "stock stocks share shares market portfolio fund dividend crypto bitcoin trading "
     "invest broker"),
    ("sales commercial",
     "pricing quote demo purchase buy plan enterprise discount trial deal lead"),
    ("marketing advertising promotion",
     "campaign brand ads advertising social media audience launch seo newsletter"),
    ("politics political government elections",
     "election vote voting government president minister parliament policy law senate "
     "party candidate campaign congress politician"),
    ("sports sport athletics",
     "game team match score player league season coach goal win championship cup "
     "tournament football soccer basketball tennis olympics"),
    ("entertainment media celebrity",
     "movie film music song actor celebrity show concert album series tv netflix"),
    ("music musical",
     "song album band guitar piano concert playlist singer lyrics"),
    ("movies film cinema",
     "film movie actor director cinema trailer series show"),
    ("mystery crime detective whodunit",
     "detective murder murdered clue clues suspect suspects poisoned killer investigation "
     "inspector crime alibi"),
    ("science_fiction sci-fi scifi science-fiction",
     "starship spaceship alien aliens planet robot robots future cryosleep galaxy space "
     "android cyborg time-travel colony interstellar"),
    ("fantasy",
     "dragon dragons wizard wizards magic spell spells sorcerer elf elves kingdom quest sword "
     "witch enchanted prophecy"),
    ("romance romantic",
     "love lovers heart kiss wedding passion affair falls"),
    ("horror",
     "ghost ghosts haunted monster blood terror demon nightmare zombie"),
    ("vegan plant-based",
     "tofu plant-based lentils chickpeas vegetables animal-free dairy-free"),
    ("vegetarian meatless",
     "meatless vegetables cheese eggs paneer halloumi lentils"),
    ("keto ketogenic low-carb",
     "carbs low-carb fat bacon butter steak cream avocado"),
    ("bird birds avian",
     "feathers feather wings beak nest nests flies chirp eggs"),
    ("fish",
     "fins fin gills scales swims swim underwater"),
    ("mammal mammals",
     "fur hair milk warm-blooded nurse whiskers"),
    ("reptile reptiles",
     "scales scaly cold-blooded lizard snake turtle crocodile bask basks shell"),
    ("books literature reading",
     "book novel author chapter library read reading poem poetry story"),
    ("art arts culture",
     "painting paintings artist gallery exhibition sculpture museum drawing artwork"),
    ("science scientific research",
     "research study scientist experiment physics biology chemistry space planet discovery "
     "telescope galaxy universe quantum atom molecule star stars hole holes evolution "
     "astronomer astronomers scientists researchers study species fossil"),
    ("weather climate meteorology",
     "rain sunny forecast temperature storm snow wind cloudy heat humidity"),
    ("food cooking recipes cuisine culinary",
     "recipe bake boil fry oven ingredient meal dish kitchen egg pasta sauce roast grill "
     "cook dinner flour pizza restaurant"),
    ("restaurant dining",
     "restaurant menu table reservation waiter dinner lunch chef dish"),
    ("nutrition diet",
     "calories protein vitamin diet carbs fat sugar meal healthy"),
    ("fitness exercise training gym",
     "workout exercise gym run running training muscle weight cardio stretch yoga"),
    ("gardening garden horticulture",
     "prune rose soil seed water flower tree lawn grow compost fertilizer weed pot bloom "
     "leaf leaves harvest plant garden"),
    ("agriculture farming farm crops crop agronomy",
     "crop crops harvest yield planting sowing seed seeds field fields tractor fertilizer "
     "soil irrigation livestock greenhouse grain wheat corn maize rice barley orchard"),
    ("pets pet animals veterinary",
     "dog cat puppy kitten vet food walk litter leash breed"),
    ("environment environmental sustainability",
     "climate pollution emissions recycling energy carbon waste"),
    ("energy utilities power",
     "electricity power gas bill solar outage grid heating"),
    ("transport transportation transit commute",
     "bus train tram subway metro ticket route station commute schedule"),
    ("shopping retail ecommerce",
     "buy order cart checkout price discount store shop sale"),
    ("fashion clothing apparel",
     "dress shirt shoes jacket size outfit style wear"),
    ("parenting children childcare",
     "baby toddler child kids daycare nanny school parenting"),
    ("relationships dating",
     "boyfriend girlfriend partner date dating breakup relationship"),
    ("mental health wellbeing",
     "stress anxiety depression therapist therapy counseling burnout mood"),
    ("geography places",
     "capital country city continent river mountain population map"),
    ("history historical",
     "war century ancient empire king queen revolution history"),
    ("gaming games video games",
     "game games gaming console playstation xbox nintendo level player"),
    ("writing creative poetry stories",
     "poem poems story stories joke jokes song lyrics novel essay haiku limerick"),
    ("math mathematics arithmetic",
     "equation algebra calculus geometry solve integral derivative math"),
    ("language languages translation",
     "translate translation french spanish german italian portuguese chinese japanese grammar "
     "vocabulary word language"),
    ("customer service support care",
     "order account subscription refund delivery cancel pause plan payment invoice return "
     "exchange complaint"),
    ("facilities building office",
     "building office desk room heating cleaning parking elevator lights"),
    ("supplies stationery consumables",
     "paper pens printer toner stapler notebook desk chair"),
    ("safety incident hazard",
     "injury injured spill fire smoke hazard accident burn unsafe evacuate exposure"),
    ("repair repairs fix broken",
     "broken repair fix faulty malfunction stopped leaking noise replace"),
)  # fmt: skip

# What kind of thing a word names: a general term and specific members of it.
KINDS: dict[str, str] = {
    "equipment": "instrument instruments device devices tool tools machine machines gauge "
    "scale balance microscope centrifuge pipette thermometer probe sensor analyzer spectrometer "
    "incubator oven freezer fridge refrigerator camera printer monitor",
    "instrument": "gauge scale balance microscope thermometer probe sensor spectrometer analyzer",
    "device": "phone smartphone tablet laptop computer watch router modem speaker headphones "
    "camera sensor",
    "electronics": "phone smartphone tablet laptop computer tv television camera headphones "
    "speaker console charger",
    "appliance": "fridge refrigerator freezer oven stove microwave dishwasher washer dryer kettle "
    "toaster blender",
    "vehicle": "car truck van bus motorcycle bike bicycle scooter suv",
    "furniture": "chair table desk sofa couch bed shelf cabinet wardrobe",
    "clothing": "shirt dress jacket coat shoes trousers pants jeans sweater hat",
    "animal": "dog cat horse bird fish rabbit cow pig sheep",
    "pet": "dog cat puppy kitten rabbit hamster parrot",
    "document": "passport license licence certificate receipt invoice contract statement form id",
    "staff": "employee employees worker workers nurse teacher engineer manager clerk",
    "food": "bread cheese meat fish fruit vegetable rice pasta egg milk",
    "beverage": "coffee tea juice water soda wine beer milk",
    "medication": "antibiotic antibiotics painkiller ibuprofen aspirin insulin vaccine pill "
    "pills tablet tablets",
    "software": "app application program browser editor plugin",
    "product": "item goods merchandise",
    "produce": "fruit vegetable vegetables fruits",
    "building": "house office school hospital warehouse store",
}
