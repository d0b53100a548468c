"""Word lists that tell a place name from a person, a newspaper, an agency or a common word."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(";"))


#: Federal phrases and how strongly each says "the federal government" (acronyms match case-sensitively).
FEDERAL_PHRASES = {
    0.9: _phrases(
        "federal government; U.S. government; US government; United States government; White House; "
        "Trump administration; Biden administration; Obama administration; Bush administration; "
        "Department of Homeland Security; Homeland Security; Immigration and Customs Enforcement; "
        "Justice Department; Department of Justice; Customs and Border Protection; Border Patrol; "
        "Citizenship and Immigration Services; Congress; federal immigration authorities; federal authorities; "
        "federal agents; federal agencies; Oval Office; executive order; Department of State; State Department; "
        "Department of Defense; Pentagon; U.S. Senate; U.S. House; my Administration; "
        "Federal Bureau of Investigation; U.S. Supreme Court; U.S. Attorney; U.S. District Court; "
        "President Donald J. Trump; President Donald Trump; President Joe Biden; President Joseph R. Biden"
    ),
    0.6: _phrases(
        "United States; federal law; President Trump; President Biden; the President; Vice President; Supreme Court"
    ),
    0.4: _phrases("U.S.; the administration; federal; Trump; Biden"),
}
FEDERAL_ACRONYMS = {"DHS": 0.9, "ICE": 0.9, "DOJ": 0.9, "CBP": 0.9, "FBI": 0.9, "USCIS": 0.9, "USA": 0.4}

#: Place names that are common words: they need a state nearby or an "X, ST" qualifier to count.
COMMON_WORDS = _words(
    "Airport Alliance Anthem Bacon Ball Banning Battlefield Bay Bear Bell Bend Bright Brush Celebration Center "
    "Central Centre Citrus Clay College Commerce Concord Cool Countryside Crystal Derby Eagle Economy Eden Empire "
    "Enterprise Faith Fate Forest Freedom Friendly Friendship Gateway Globe Golden Grant Grants Green Halfway "
    "Harmony Harvest Hercules Holiday Homeland Hope Humble Independence Justice Jupiter King Landing Landmark "
    "Liberal Liberty Maize Marathon Media Midfield Midway Mills Mission Mobile Normal Opportunity Orange Pace "
    "Page Paradise Paramount Plantation Post Price Progress Prospect Prosper Purchase Reading Republic Reserve "
    "Rifle Rush Security Severance Spring Star Sterling Sulphur Summit Sunrise Sunset Superior Surprise Talent "
    "Tea Temple Union Unity Upland Victoria Vista Ward Welcome Wise Worth English Scotland Holland Energy Zion "
    "Canaan Goshen Shiloh Canadian Hurricane Carolina Bishop August Parkway Many"
)
#: Place names that are better known as people's names.
PERSONISH = _words(
    "Adams Arthur Buchanan Bush Carter Clinton Elizabeth Ford Franklin Garfield Hamilton Harrison Hoover Jackson "
    "Jefferson Johnson Kennedy Lee Lincoln Madison Miller Monroe Nixon Obama Pierce Reagan Roosevelt Taylor "
    "Truman Tyler Vance Warren Washington Wilson Sharon Moody Baker"
)
TITLES = _words(
    "Mayor President Gov. Governor Sen. Senator Rep. Representative Chief Judge Justice Secretary Mr. Mrs. Ms. "
    "Dr. Officer Sheriff Superintendent Commissioner Director Councilman Councilwoman Councilmember Lt. Sgt. "
    "Capt. Gen. Col. Prof. Professor Speaker Leader Deputy Agent Detective Rev. Pastor Bishop Father Sister "
    "Coach Ambassador Chairman Chairwoman Attorney Lieutenant Sergeant Captain General Colonel Trooper Alderman "
    "Assemblyman Assemblywoman Congressman Congresswoman Vice Pope King Queen Prince Princess Lady Sir"
)
#: Capitalized words that are not first names even when they stand right before a place name.
NOT_NAMES = _words(
    "The A An In At On Of For From To By With And But Or Nor As If When While After Before Since Until During "
    "Across Near Outside Inside Throughout Like Unlike Both Each Every All Some Many Most Other Others This "
    "That These Those Its Our Their His Her My Your Where Why How What Which Who Than Then Today Also Even Only "
    "Just Between Against About Over Under Into Via Per Dear Greater Metro Central North South East West "
    "Northern Southern Eastern Western Northeast Northwest Southeast Southwest Republican Democratic Democrat "
    "GOP Rural Urban Suburban Upstate Downstate Coastal Mexican American Latino Hispanic Federal State County "
    "City Town Village New Old Lower Upper Downtown Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "January February March April May June July August September October November December Here There Around "
    "Including Including Despite Without Within Beyond Toward Towards Whether Although Because Though Once "
    "Now Last Next First Second Third Neighboring Nearby Northeastern Northwestern Southeastern Southwestern "
    "Midwestern Border Sanctuary Immigration Police Officials Residents Leaders Mayors Sheriffs"
)
#: Words after a place name that keep it a place ("Omaha Police", "Denver City Government").
INSTITUTION_WORDS = (
    _words(
        "Police City County Council Councilmember Department Dept. Public Schools School Sheriff Sheriff's Board "
        "Metro Area Airport Independent Unified Housing Fire Water Transit Office Superior Municipal District "
        "Community Regional International Officials Residents Government Health Library Parks Port Harbor Zoo "
        "Station Bay River Lake Valley Hills Heights Region Corrections Jail Detention "
        "Court Courts Commission Commissioners Legislature Assembly Senate House State Republicans Democrats "
        "Chamber Archdiocese Diocese Convention Center Immigration Field Division Sector Bureau Agency Authority "
        "Attorney Attorney's Public-Schools Metropolitan Urban Juvenile Superintendent Officers Officer Leaders"
    )
    | TITLES
)
MEDIA_WORDS = _words(
    "Times Post Tribune Herald Journal Globe Chronicle Gazette Inquirer Examiner Courier Bee Observer Dispatch "
    "Sentinel Star Sun Press Register Review Record Daily Morning News Magazine Telegraph Enquirer Republic "
    "Statesman Reader Weekly Patch World-Herald Union-Tribune Democrat-Gazette Democrat"
)
#: Words after a name that make it a street: "Pennsylvania Avenue", "Washington Street".
STREET_WORDS = _words(
    "Street St. Avenue Ave. Ave Road Rd. Boulevard Blvd. Blvd Drive Highway Hwy Pike Parkway Lane Park Square Plaza"
)
#: Federal agencies that name their field offices after cities: "ICE Seattle", "OPLA New Orleans".
FEDERAL_OFFICES = _words("ICE OPLA ERO HSI FBI DHS DOJ CBP USCIS DEA ATF EOIR USAO")
#: Words after a name that make it an institution or a company: "Texas Tech", "Moody's", "Norfolk Southern".
ORG_WORDS = _words(
    "University College Tech Co Co. Corp Corp. Inc Inc. Company Associates Bank Group Holdings Partners LLC Ltd "
    "Airlines Energy Electric Power Gas Telephone Motors Industries Insurance Capital Securities Financial Foods "
    "Steel Oil Southern Nuclear Sells"
)
SPEECH_WORDS = _words(
    "said says told added wrote argued noted stated explained asked testified announced tweeted posted "
    "recalled insisted warned replied continued"
)
PLACE_CUES = ("city of ", "City of ", "town of ", "Town of ", "village of ", "Village of ", "CITY OF ", "mayor of ")
ABBREVIATIONS = _words("St Mr Mrs Ms Dr Jr Sr Gov Sen Rep Lt Sgt Capt Gen Col Prof Inc Co No Mt Ft Ste Rev vs")
