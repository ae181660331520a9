package server

// JapaneseMessages is the catalogue of error messages in Japanese, for the
// test that every code in the contract has one.
var JapaneseMessages = japanese
