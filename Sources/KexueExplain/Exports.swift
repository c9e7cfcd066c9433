// Explanations work on text and image models; re-export both so one import suffices.
@_exported import KexueText
@_exported import KexueVision
